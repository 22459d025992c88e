#!/usr/bin/env bash
# Installs the system packages Leadbell's window needs on Debian/Ubuntu,
# through sudo when not root; elsewhere it prints what to install.
set -euo pipefail
packages=(libgtk-3-dev libwebkit2gtk-4.1-dev pkg-config)
missing=()
if command -v dpkg >/dev/null 2>&1; then
  for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
else
  pkg-config --exists gtk+-3.0 webkit2gtk-4.1 2>/dev/null && exit 0
  echo "Leadbell's window needs GTK 3 and WebKitGTK 4.1 development files (and pkg-config): install them with your package manager." >&2
  exit 1
fi
[ ${#missing[@]} -eq 0 ] && exit 0
cmd=(apt-get install -y "${missing[@]}")
if [ "$(id -u)" -eq 0 ]; then
  apt-get update -qq && "${cmd[@]}"
elif command -v sudo >/dev/null 2>&1 && [ -t 0 ]; then
  echo "Installing ${missing[*]} (sudo asks for your password)…"
  sudo apt-get update -qq && sudo "${cmd[@]}"
else
  echo "Leadbell's window needs: ${missing[*]}. Install them with:" >&2
  echo "  sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
