module hushinteropclient

go 1.19
