module hushinteropclient

// The oldest Go the interop tests support. test/interop/peers.ts (buildGoProgram) builds with a
// copy of this file (-modfile) whose go line is the building toolchain's release, so a newer Go
// applies its own GODEBUG defaults rather than 1.19's.
go 1.19
