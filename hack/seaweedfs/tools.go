//go:build tools

// Package tools pins SeaweedFS's weed command, built by build.sh as a real S3 server that enforces
// per-identity policies (the edges' read-only credential is tested against it).
package tools

import _ "github.com/seaweedfs/seaweedfs/weed"
