#!/usr/bin/env bash
# Renders the icon PNGs and the Windows .ico from the SVG sources. Needs rsvg-convert
# (Debian: librsvg2-bin) and ImageMagick's convert (Debian: imagemagick).
# Run from anywhere: bash assets/render.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

mkdir -p icons
# 16 and 24 px have hand-hinted sources; every other size comes from ferry.svg.
rsvg-convert ferry-16.svg -o icons/ferry-16.png
rsvg-convert ferry-24.svg -o icons/ferry-24.png
# 1024: the macOS iconset's 512@2x (App Store and Retina Finder previews).
for size in 32 48 64 128 256 512 1024; do
  rsvg-convert -w "$size" -h "$size" ferry.svg -o "icons/ferry-$size.png"
done

# Windows icon: every size up to 256 (the largest an .ico holds).
ico_inputs=()
for size in 16 24 32 48 64 128 256; do
  ico_inputs+=("icons/ferry-$size.png")
done
convert "${ico_inputs[@]}" ferry.ico
