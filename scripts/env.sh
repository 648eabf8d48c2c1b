# shellcheck shell=bash
# Ad-hoc runs against the emulated RD Session Host, from this checkout:
#
#     bash scripts/demo.sh          # once: creates .venv, the emulated host's Python and the collection path
#     source scripts/env.sh
#     ansible rdsh01 -m wtsadmin.rds.win_rds_session_info -a 'fields=session_id,user,state,idle_seconds'
#
# Sets what scripts/demo.sh sets for its playbook: ansible and ansible-playbook of .venv first on PATH, the
# collection path, the demo's ansible.cfg and inventory (host rdsh01), and the emulated host's Python and
# state file (.build/demo-state.json, the sample farm, created at the first run; delete it to start over).
_rds_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -x "$_rds_root/.venv/bin/ansible" ] || [ ! -x "$_rds_root/.build/emulated-host/bin/python" ]; then
    echo "Run 'bash scripts/demo.sh' once first: it creates .venv and the emulated host." >&2
else
    export PATH="$_rds_root/.venv/bin:$PATH"
    export ANSIBLE_COLLECTIONS_PATH="$_rds_root/.build/collections"
    export ANSIBLE_CONFIG="$_rds_root/playbooks/ansible.cfg"
    export RDS_EMULATOR_PYTHON="$_rds_root/.build/emulated-host/bin/python"
    export RDS_EMULATOR_STATE="${RDS_EMULATOR_STATE:-$_rds_root/.build/demo-state.json}"
fi
unset _rds_root
