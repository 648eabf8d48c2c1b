#!/usr/bin/env bash
# The demo: runs playbooks/demo.yml with wtsadmin.rds against the emulated RD Session Host and prints its
# sessions as a table. Needs Python 3.12 (on PATH or under the pyenv root); installs the rest into .venv.
set -eu -o pipefail
cd "$(dirname "$0")/.."
RDS_SETUP_FOR=demo
# shellcheck source=scripts/_setup.sh
source scripts/_setup.sh
export RDS_EMULATOR_STATE="$BUILD/demo-state.json"
rm -f "$RDS_EMULATOR_STATE"
export ANSIBLE_CONFIG="$ROOT/playbooks/ansible.cfg"
REPORT="$BUILD/demo-sessions.txt"
rm -f "$REPORT"
"$VENV/bin/ansible-playbook" -i playbooks/inventory.yml playbooks/demo.yml -e "rds_demo_report=$REPORT" "$@"
echo
cat "$REPORT"
