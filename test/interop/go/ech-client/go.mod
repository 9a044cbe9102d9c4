module hushinteropechclient

// Encrypted Client Hello needs Go 1.23 (client). test/interop/peers.ts (buildGoProgram) builds with a
// copy of this file (-modfile) whose go line is the building toolchain's release.
go 1.23
