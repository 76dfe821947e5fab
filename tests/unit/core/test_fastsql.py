"""The fast SQL path's statements are built from the models' tables and encode JSON in one place."""

import orjson
import pytest

from opencoc.alarms.models import Alarm
from opencoc.core.fastsql import Insert, Select, Statement, Update, json_value
from opencoc.incidents.models import Incident, IncidentHistory


def test_an_insert_names_every_column_but_the_key_and_renders_each_parameter_style() -> None:
    statement = Insert(IncidentHistory, "RETURNING id")
    assert statement.named == (
        "INSERT INTO incident_history (tenant_id, incident_num, operator, operate_key, operate_time, parameter) "
        "VALUES (:tenant_id, :incident_num, :operator, :operate_key, :operate_time, :parameter) RETURNING id"
    )
    assert "VALUES (%(tenant_id)s, %(incident_num)s" in statement.pyformat


def test_a_column_added_to_a_model_reaches_its_insert() -> None:
    columns = {c.name for c in Alarm.__table__.columns} - {"id"}
    assert set(Insert(Alarm).columns) == columns


def test_params_fill_left_out_columns_with_null_and_encode_json() -> None:
    params = Insert(Incident).params({"tenant_id": 1, "region": ["cn-north-4"], "incident_assignee": []})
    assert params["region"] == '["cn-north-4"]' and params["incident_assignee"] == "[]"
    assert params["acceptor"] is None and params["enterprise_project"] is None
    assert "id" not in params


def test_params_refuse_a_name_that_is_not_a_column() -> None:
    with pytest.raises(KeyError, match="incident_nmu"):
        Insert(Incident).params({"incident_nmu": "x"})


def test_update_and_select_refuse_an_unknown_column_when_built() -> None:
    with pytest.raises(KeyError):
        Update(Incident, ("status", "stauts"), "id = :id")
    with pytest.raises(KeyError):
        Select(Incident, ("nope",), "id = :id")
    update = Update(Incident, ("status", "acceptor"), "id = :id")
    assert update.named == "UPDATE incidents SET status = :status, acceptor = :acceptor WHERE id = :id"


def test_json_reads_back_from_text_or_from_the_decoded_value() -> None:
    assert json_value('["a"]') == ["a"] and json_value(["a"]) == ["a"] and json_value(None) is None
    assert orjson.loads(Insert(Alarm).params({"additional": {"k": 1}})["additional"]) == {"k": 1}


def test_a_statement_keeps_names_that_follow_a_colon_in_either_style() -> None:
    statement = Statement("SELECT 1 WHERE a = :a AND b = :b_2")
    assert statement.pyformat == "SELECT 1 WHERE a = %(a)s AND b = %(b_2)s"
