# Sourced by the CLI tests: expect WANT ARGS... runs "$bin ARGS..." and checks that bad input
# gives exit code 2 and exactly one stderr line containing WANT. Sets fail=1 otherwise.
expect() {
  local want=$1; shift
  local err rc
  err=$("$bin" "$@" 2>&1 >/dev/null); rc=$?
  if [ $rc -ne 2 ]; then echo "FAIL (exit $rc, want 2): $*"; echo "$err"; fail=1; return; fi
  if ! grep -qF -- "$want" <<<"$err"; then echo "FAIL (no '$want' in stderr): $*"; echo "$err"; fail=1; return; fi
  if [ "$(wc -l <<<"$err")" -ne 1 ]; then echo "FAIL (not one line): $*"; echo "$err"; fail=1; return; fi
  echo "ok: $* -> $err"
}
