# shellcheck shell=bash
# apt helpers shared by the CI and benchmark scripts (sourced; the caller defines `log`).

APT_UPDATED=0

# apt-get update, at most once per script run.
apt_update_once() {
  if [[ $APT_UPDATED -eq 0 ]]; then
    log "apt-get update"
    apt-get update -qq </dev/null >/dev/null
    APT_UPDATED=1
  fi
}

# ensure_packages PKG... : apt-get install those that are not installed yet.
ensure_packages() {
  local pkg missing=()
  for pkg in "$@"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" != "install ok installed" ]]; then
      missing+=("$pkg")
    fi
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  apt_update_once
  log "apt-get install ${missing[*]}"
  apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null >/dev/null
}
