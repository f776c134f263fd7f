#!/usr/bin/env bash
# Debian packages the platform and its tests need; installs only what is missing.
#   scripts/system-deps.sh            everything `make test` needs (fonts, chromium, postgresql, nginx)
#   scripts/system-deps.sh fonts      only the CJK font the PDFs need (`make run` and `make serve` run this)
# Groups: fonts (fonts-noto-cjk: Chinese in PDFs and pages), browser (chromium: browser tests),
# postgres (the second database of the suite), nginx (the reverse-proxy test of deploy/).
set -euo pipefail
groups=("$@")
[ ${#groups[@]} -gt 0 ] || groups=(fonts browser postgres nginx)
need=()
for g in "${groups[@]}"; do
  case "$g" in
    fonts) fc-list : family 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null || need+=(fonts-noto-cjk fontconfig) ;;
    browser) command -v chromium >/dev/null 2>&1 || need+=(chromium) ;;
    postgres) ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql) ;;
    nginx) command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need+=(nginx) ;;
    *) echo "system-deps.sh: unknown group '$g' (fonts, browser, postgres, nginx)" >&2; exit 2 ;;
  esac
done
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
  elif ! command -v apt-get >/dev/null 2>&1 || ! command -v sudo >/dev/null 2>&1; then
    echo "缺少 Debian 软件包：${need[*]}。请以管理员身份运行：apt-get install ${need[*]}" >&2
    echo "Missing Debian packages: ${need[*]}. Ask an administrator to run: apt-get install ${need[*]}" >&2
    if [[ " ${need[*]} " == *" fonts-noto-cjk "* ]]; then
      echo "（没有中文字体时，PDF 议程、桌卡和简报中的汉字会显示为方框 / without it, Chinese in PDFs shows as empty boxes）" >&2
    fi
    exit 1
  else
    SUDO="sudo"
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "缺少软件包 ${need[*]}，且本机没有 apt-get；请用本系统的包管理器安装 / install ${need[*]} with this system's package manager" >&2
  exit 1
fi
echo "installing Debian packages: ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q || true
$SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
