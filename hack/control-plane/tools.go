//go:build tools

// Keeps the kube-apiserver command in the module graph so `go build` finds it.
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
