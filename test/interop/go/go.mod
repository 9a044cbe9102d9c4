module hushinterop

// The Go peers of hush's interop tests: one module, standard library only (the build is offline),
// thin main packages (server, client, ech-server, ech-client) over internal/peer.
//
// The oldest Go that builds server and client; ech-client needs Go 1.23, ech-server Go 1.24.
// test/interop/peers.ts (buildGoProgram) builds with a copy of this file (-modfile) whose go line is
// the building toolchain's release, so a newer Go applies its own GODEBUG defaults rather than 1.19's.
go 1.19
