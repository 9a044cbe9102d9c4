module hush/interop/ech-server

go 1.24
