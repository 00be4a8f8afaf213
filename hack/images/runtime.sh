#!/usr/bin/env bash
# usage: hack/images/runtime.sh
# Prepares the root filesystem the container images start from, without a registry or a Docker daemon:
# a jlink'd Java runtime at /opt/java, the shared libraries it (and sqlite-jdbc's native code) needs
# from this Debian system, name resolution files, a non-root user 65532, and for the edge image the
# litestream binary at /usr/local/bin/litestream. Jib (mvn package) layers the application on top.
# Output (cached by JDK version): $PBX3SBC_CACHE/image-runtime/{base,edge}; prints the directory.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=../lib/tools.sh
source "$root/hack/lib/tools.sh"
java_home="$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")"
jdk_version="$("$java_home/bin/java" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.runtime.version/{print $2}')"
out="$PBX3SBC_CACHE/image-runtime"
stamp="$jdk_version $(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16) $LITESTREAM_VERSION_NPM"
if [[ -f "$out/.stamp" && "$(cat "$out/.stamp")" == "$stamp" ]]; then echo "$out"; exit 0; fi
ensure_litestream >/dev/null

rm -rf "$out"; mkdir -p "$out/base" "$out/edge/usr/local/bin"
base="$out/base"
# Modules for the operator (fabric8, JOSDK, AWS SDK, sqlite-jdbc) and the edge (JAIN-SIP, JDK HttpServer).
"$java_home/bin/jlink" --add-modules java.base,java.logging,java.management,java.naming,java.net.http,java.sql,java.xml,java.desktop,java.security.jgss,java.security.sasl,java.instrument,java.scripting,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.httpserver,jdk.unsupported,jdk.management,jdk.naming.dns,jdk.zipfs,jdk.localedata \
  --strip-debug --no-man-pages --no-header-files --compress=2 --output "$base/opt/java"
# A headless server: no X11, sound, splash screen or font rendering (their libraries would pull in X11).
rm -f "$base"/opt/java/lib/{libawt_xawt,libsplashscreen,libjsound,libfontmanager}.so
# Debian's JDK links its CA store to /etc/ssl; an image has no such file, so copy the store in.
if [[ -L "$java_home/lib/security/cacerts" || ! -s "$base/opt/java/lib/security/cacerts" ]]; then
  rm -f "$base/opt/java/lib/security/cacerts"
  cp -L "$java_home/lib/security/cacerts" "$base/opt/java/lib/security/cacerts"
fi

# Every shared library the runtime's ELF files need, at the path the loader looks for it.
copy_lib() {
  local lib="$1"
  [[ -e "$base$lib" ]] && return 0
  mkdir -p "$base$(dirname "$lib")"
  cp -L "$lib" "$base$lib"
}
while read -r elf; do
  ldd "$elf" 2>/dev/null | awk '/=> \//{print $3} /^\s*\/lib/{print $1}' | while read -r lib; do copy_lib "$lib"; done
done < <(find "$base/opt/java" -type f \( -name '*.so' -o -path '*/bin/*' \))
# glibc loads the nss libraries at run time for host lookups (S3 endpoints, backends by name); sqlite-jdbc's
# native library (extracted to /tmp) needs libc, libm, libdl and libpthread.
for lib in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libresolv.so.2 \
           /lib/x86_64-linux-gnu/libm.so.6 /lib/x86_64-linux-gnu/libdl.so.2 /lib/x86_64-linux-gnu/libpthread.so.0 \
           /lib/x86_64-linux-gnu/librt.so.1 /lib/x86_64-linux-gnu/libgcc_s.so.1 /lib64/ld-linux-x86-64.so.2; do
  [[ -e "$lib" ]] && copy_lib "$lib"
done
mkdir -p "$base/etc" "$base/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$base/etc/passwd"
printf 'root:x:0:\nnonroot:x:65532:\n' > "$base/etc/group"
printf 'hosts: files dns\n' > "$base/etc/nsswitch.conf"
printf '127.0.0.1 localhost\n::1 localhost\n' > "$base/etc/hosts"
cp "$LITESTREAM_BIN" "$out/edge/usr/local/bin/litestream"
echo "$stamp" > "$out/.stamp"
echo "$out"
