# Shared by tools/run and tools/test: install what is missing, then configure and build.
# Sourced, not run. The package list lives in tools/packages.txt and nowhere else.

CCTV_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

cctv_missing_packages() {
  local pkgs
  pkgs=$(grep -v '^\s*#' "$CCTV_ROOT/tools/packages.txt" | awk 'NF {print $1}')
  local missing=()
  for p in $pkgs; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$p")
    fi
  done
  echo "${missing[@]}"
}

cctv_install_packages() {
  local missing
  missing=$(cctv_missing_packages)
  [ -z "$missing" ] && return 0
  echo "cctv: installing missing Debian packages: $missing" >&2
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      echo "cctv: need root (or sudo) to install: $missing" >&2
      return 1
    fi
  fi
  $sudo apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing
}

# cctv_build <build-dir> [extra cmake args...] [--target TARGET...]
cctv_build() {
  local dir=$1
  shift
  local configure=() build=()
  while [ $# -gt 0 ]; do
    if [ "$1" = "--target" ]; then build=("$@"); break; fi
    configure+=("$1")
    shift
  done
  cmake -S "$CCTV_ROOT" -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "${configure[@]}" >/dev/null
  cmake --build "$dir" -j"${CCTV_JOBS:-2}" "${build[@]}"
}
