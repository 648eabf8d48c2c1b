# -*- coding: utf-8 -*-
# Copyright (c) 2026 wtsadmin.rds contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The shared session selection: user patterns, filters, guardrails, and the option spec every module merges."""

from __future__ import annotations

import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.wtsadmin.rds.plugins.doc_fragments.session_selection import ModuleDocFragment
from ansible_collections.wtsadmin.rds.plugins.module_utils._selection import (
    SessionSelection,
    selection_problem,
    session_selection_spec,
    user_matches,
)


def selected(selection, session):
    """True when list_sessions would act on ``session``: it passes every filter and no guardrail refuses it."""
    return selection.wants(session) and selection.refusal(session) is None


def session(session_id=2, state="active", username="alice", domain="CONTOSO", session_name="RDP-Tcp#3", **more):
    return dict(session_id=session_id, state=state, username=username, domain=domain, session_name=session_name,
                **more)


@pytest.mark.parametrize("pattern", [
    "alice", "ALICE", "Alice", "CONTOSO\\alice", "contoso\\ALICE", "alice@CONTOSO", "Alice@Contoso",
    "a*", "*", "al?ce", "CONTOSO\\*", "*\\alice", "c*\\a*", "[ab]lice", "*@CONTOSO", "*@*", "alice@c*",
])
def test_user_patterns_match_case_insensitively_in_every_domain_form(pattern):
    assert user_matches(pattern, "CONTOSO", "alice")


@pytest.mark.parametrize("pattern", [
    "bob", "alic", "FABRIKAM\\alice", "alice@fabrikam.com", "alice@fabrikam", "b*", "CONTOSO\\b*", "?lic",
])
def test_user_patterns_reject_other_users_and_other_domains(pattern):
    assert not user_matches(pattern, "CONTOSO", "alice")


@pytest.mark.parametrize("pattern", [
    "alice@contoso.com", "Alice@Contoso.Com", "*@contoso.com", "alice@contoso.evil.com", "alice@contoso.",
    "alice@*.com",
])
def test_a_dns_domain_never_matches_a_netbios_domain(pattern):
    """Windows names a session's NetBIOS domain (CONTOSO); only the directory knows which DNS domain that is,
    so ``alice@contoso.evil.com`` must not reach CONTOSO\\alice by its first label (#19 item 11)."""
    assert not user_matches(pattern, "CONTOSO", "alice")


@pytest.mark.parametrize("pattern, domain, expected", [
    ("alice@contoso.com", "contoso.com", True),
    ("ALICE@CONTOSO.COM", "contoso.com", True),
    ("alice@*.contoso.com", "eu.contoso.com", True),
    ("contoso.com\\alice", "contoso.com", True),
    ("alice@contoso.com", "contoso.com.evil.com", False),
    ("alice@contoso.com", "eu.contoso.com", False),
    ("alice@CONTOSO", "contoso.com", False),
])
def test_a_domain_is_compared_whole(pattern, domain, expected):
    assert user_matches(pattern, domain, "alice") is expected


@pytest.mark.parametrize("pattern", ["*", "CONTOSO\\*", "?*", "*@*"])
def test_a_session_without_a_user_matches_no_pattern_not_even_a_wildcard(pattern):
    assert not user_matches(pattern, None, None)
    assert not user_matches(pattern, "", "")


def test_non_ascii_user_names_compare_without_case():
    assert user_matches("CONTOSO\\ZOË😀", "CONTOSO", "Zoë😀")
    assert user_matches("zoë*", "CONTOSO", "Zoë😀")


def test_a_local_account_is_matched_by_the_computer_name_as_domain():
    assert user_matches("RDSH01\\Administrator", "RDSH01", "Administrator")
    assert not user_matches("CONTOSO\\Administrator", "RDSH01", "Administrator")


def test_every_given_filter_must_match_and_any_item_of_a_list_may():
    selection = SessionSelection(session_ids=[2, 3], usernames=["bob", "alice"], states=["active"])

    assert selected(selection, session())
    assert not selected(selection, session(session_id=4))
    assert not selected(selection, session(username="carol"))
    assert not selected(selection, session(state="disconnected"))


def test_a_selection_without_filters_matches_every_user_session():
    selection = SessionSelection()

    assert selected(selection, session())
    assert selected(selection, session(session_id=6, state="disconnected", username=None, domain=None, session_name=None))


def test_idle_threshold_compares_with_the_idle_seconds_and_never_selects_unknown_idle_time():
    selection = SessionSelection(min_idle_seconds=600)

    assert selected(selection, session(idle_seconds=600))
    assert selected(selection, session(idle_seconds=3600))
    assert not selected(selection, session(idle_seconds=599))
    assert not selected(selection, session(idle_seconds=None))


def test_disconnected_threshold_selects_only_sessions_disconnected_long_enough():
    selection = SessionSelection(min_disconnected_seconds=7200)

    assert selected(selection, session(state="disconnected", disconnected_seconds=7300))
    assert not selected(selection, session(state="disconnected", disconnected_seconds=7100))
    assert not selected(selection, session(state="active", disconnected_seconds=None, idle_seconds=9000))


def test_disconnected_sessions_without_a_user_are_selected_by_state_but_not_by_username():
    orphan = session(session_id=6, state="disconnected", username=None, domain=None, session_name=None,
                     disconnected_seconds=8000)

    assert selected(SessionSelection(states=["disconnected"], min_disconnected_seconds=7200), orphan)
    assert not selected(SessionSelection(usernames=["*"]), orphan)


@pytest.mark.parametrize("system", [
    session(session_id=0, state="disconnected", username=None, domain=None, session_name="Services"),
    session(session_id=65536, state="listen", username=None, domain=None, session_name="RDP-Tcp"),
    session(session_id=65537, state="down", username=None, domain=None, session_name="ICA-tcp"),
    session(session_id=9, state="listen", username=None, domain=None, session_name="RDP-Tcp"),
])
def test_session_0_and_listeners_are_selected_only_with_include_system(system):
    assert not selected(SessionSelection(), system)
    assert not selected(SessionSelection(session_ids=[system["session_id"]]), system)
    assert not selected(SessionSelection.from_params({"include_system": True}, acting=True), system)
    assert selected(SessionSelection(include_system=True), system)
    assert selected(SessionSelection.from_params({"include_system": True}), system)


def test_the_console_is_refused_to_acting_modules_unless_allow_console():
    console = session(session_id=1, username="Administrator", domain="RDSH01", session_name="Console")

    refused = SessionSelection.from_params({"all": True}, acting=True)
    assert refused.wants(console)
    assert not selected(refused, console)
    assert "allow_console" in refused.refusal(console)
    assert selected(SessionSelection.from_params({"all": True, "allow_console": True}, acting=True), console)
    assert selected(SessionSelection.from_params({}), console)


@pytest.mark.parametrize("signals", [
    {"session_name": "Console"},
    {"session_name": "console", "state": "disconnected"},
    {"client_protocol": "console"},
    {"client_protocol": "console", "state": "connected", "username": None},
    {"session_name": None, "state": "disconnected", "console_session_id": 2},
])
def test_the_console_is_known_by_its_winstation_name_the_attached_session_or_a_connected_protocol_0(signals):
    signals = dict(signals)
    console_id = signals.pop("console_session_id", None)
    console = session(**signals)
    acting = SessionSelection.from_params({"all": True}, acting=True)

    assert acting.wants(console, console_id) and acting.refusal(console, console_id)
    assert selected(SessionSelection.from_params({"all": True, "allow_console": True}, acting=True), console)


def test_a_disconnected_session_reading_protocol_0_alone_is_not_the_console():
    # issue #12 item 6: WTSClientProtocolType is documented as "0 The console session" and silent on disconnected
    # sessions; a disconnected RDP session may read 0 too. It is the console only by name or the attached id.
    disconnected = session(session_id=3, state="disconnected", session_name="", client_protocol="console")

    assert selected(SessionSelection.from_params({"all": True}, acting=True), disconnected)
    assert SessionSelection.from_params({"all": True}, acting=True).refusal(disconnected, 1) is None


def test_the_session_list_alone_rules_out_by_id_state_and_system_but_leaves_users_to_the_details():
    selection = SessionSelection(session_ids=[2], states=["active"], usernames=["bob"])
    listed = session(username=None, domain=None)  # WTSEnumerateSessionsW lists no users

    assert selection.may_match(listed)
    assert not selection.may_match(session(session_id=3))
    assert not selection.may_match(session(state="disconnected"))
    assert not SessionSelection().may_match(session(session_id=0))


@pytest.mark.parametrize("params", [
    {}, {"all": False}, {"session_id": None, "username": None, "allow_console": True},
])
def test_a_task_without_any_filter_is_refused_instead_of_acting_on_everyone(params):
    problem = selection_problem(params)

    assert "no session selected" in problem
    assert "all: true" in problem


@pytest.mark.parametrize("params", [
    {"all": True}, {"session_id": [3]}, {"username": ["bob"]}, {"session_state": ["disconnected"]},
    {"min_idle_seconds": 60}, {"min_disconnected_seconds": 7200}, {"min_disconnected_seconds": 0},
    {"username": ["*"], "session_id": [3]}, {"username": ["CONTOSO\\*"]}, {"username": ["*@FABRIKAM"]},
    {"username": ["*"], "all": True}, {"min_idle_seconds": 0, "session_state": ["active"]},
])
def test_any_filter_or_all_true_is_a_selection(params):
    assert selection_problem(params) is None


@pytest.mark.parametrize("params", [
    {"username": ["*"]}, {"username": ["*\\*"]}, {"username": ["*@*"]}, {"username": ["**", "?*"]},
    {"min_idle_seconds": 0}, {"min_idle_seconds": -1}, {"username": ["*"], "min_idle_seconds": 0},
    {"session_state": ["active", "connected", "connect_query", "shadow", "disconnected", "idle", "listen", "reset",
                       "down", "init"]},
])
def test_filters_that_let_every_user_session_through_need_all_true(params):
    # issue #19, item 11: username '*' logged off everyone without all: true
    problem = selection_problem(params)

    assert "every user session: say all: true" in problem


@pytest.mark.parametrize("pattern", ["alice@*.contoso.com", "*@*.contoso.com", "alice@?.contoso.com"])
def test_a_wildcard_dns_domain_is_not_cut_to_a_first_label_that_matches_every_domain(pattern):
    # issue #19, item 11: the first label of *.contoso.com is "*", which matched alice of every domain
    assert not user_matches(pattern, "FABRIKAM", "alice")


@pytest.mark.parametrize("session_id", [0, 65536, 70000])
def test_naming_session_0_or_a_listener_fails_even_with_all(session_id):
    problem = selection_problem({"session_id": [5, session_id], "all": True})

    assert str(session_id) in problem
    assert "never acted on" in problem


def test_the_spec_takes_state_as_a_deprecated_alias_only_where_the_module_has_no_state_of_its_own():
    with_alias = ArgumentSpecValidator(session_selection_spec(state_alias=True)).validate({"state": "disconnected"})
    without = ArgumentSpecValidator(session_selection_spec(acting=True)).validate({"state": "disconnected"})
    current = ArgumentSpecValidator(session_selection_spec(state_alias=True)).validate({"session_state": "disconnected"})

    assert not with_alias.errors.errors
    assert with_alias.validated_parameters["session_state"] == ["disconnected"]
    assert [(d["version"], d["collection_name"]) for d in with_alias._deprecations] == [("1.0.0", "wtsadmin.rds")]
    assert "'state'" in with_alias._deprecations[0]["msg"]
    assert current._deprecations == []
    assert without.errors.errors


def test_the_spec_rejects_unknown_states_and_turns_single_values_into_lists():
    checked = ArgumentSpecValidator(session_selection_spec()).validate({"session_id": "3", "username": "CONTOSO\\bob"})
    wrong = ArgumentSpecValidator(session_selection_spec()).validate({"session_state": "sleeping"})

    assert checked.validated_parameters["session_id"] == [3]
    assert checked.validated_parameters["username"] == ["CONTOSO\\bob"]
    assert "sleeping" in wrong.errors.errors[0].msg


def test_the_guardrail_options_default_to_off():
    params = ArgumentSpecValidator(session_selection_spec(acting=True, include_system=True)).validate({}).validated_parameters

    assert params["all"] is False
    assert params["allow_console"] is False
    assert params["include_system"] is False


@pytest.mark.parametrize("sections, flags", [
    (("DOCUMENTATION", "STATE"), {"state_alias": True}),
    (("DOCUMENTATION", "SESSION_STATE"), {}),
    (("DOCUMENTATION", "SESSION_STATE", "ACTING"), {"acting": True}),
    (("DOCUMENTATION", "STATE", "SYSTEM"), {"state_alias": True, "include_system": True}),
])
def test_the_doc_fragment_documents_exactly_the_options_of_the_spec(sections, flags):
    documented = {}
    for section in sections:
        documented.update(yaml.safe_load(getattr(ModuleDocFragment, section))["options"])
    spec = session_selection_spec(**flags)

    assert set(documented) == set(spec)
    for name, option in spec.items():
        doc = documented[name]
        assert doc["type"] == option["type"], name
        assert doc.get("elements") == option.get("elements"), name
        assert doc.get("choices") == option.get("choices"), name
        assert doc.get("default") == option.get("default"), name
        assert doc.get("aliases") == option.get("aliases"), name


def test_the_two_session_state_sections_differ_only_in_the_deprecated_alias():
    with_alias = yaml.safe_load(ModuleDocFragment.STATE)["options"]["session_state"]
    without = yaml.safe_load(ModuleDocFragment.SESSION_STATE)["options"]["session_state"]

    assert with_alias.pop("aliases") == ["state"]
    deprecation = with_alias["description"].pop()
    assert "deprecated" in deprecation and "1.0.0" in deprecation
    assert with_alias == without
