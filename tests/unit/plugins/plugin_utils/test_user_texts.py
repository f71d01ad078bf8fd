"""Issue 15 item 11: user-facing refusal texts say only what applies.

A license-file refusal that has nothing to do with binding (removing the last file for a feature)
carried "(for a binding error: allocate and download the file for this License Server)".
"""

from __future__ import annotations

from test_license_plan import lp, plan_write, remove


def test_unrelated_refusal_has_no_binding_tail():
    plan = remove(others={})
    assert plan.refused and [f.code for f in plan.errors] == ["removal_loses_feature"]
    message = lp.refusal_message(plan, what="removed")
    assert "force=true" in message and "binding" not in message


def test_binding_refusal_keeps_its_advice():
    plan = plan_write(hostname="LS99")
    assert [f.code for f in plan.errors] == ["binding_hostname_mismatch"]
    assert "(for a binding error: allocate and download the file for this License Server)" in lp.refusal_message(plan)
