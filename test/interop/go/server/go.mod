module hushinterop

go 1.19
