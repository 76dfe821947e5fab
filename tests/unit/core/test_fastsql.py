"""The fast SQL path's statements are built from the models' tables and encode JSON in one place."""

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


def test_a_column_added_to_a_model_reaches_its_insert_unless_left_out() -> None:
    columns = {c.name for c in Alarm.__table__.columns} - {"id"}
    assert set(Insert(Alarm).columns) == columns
    assert set(Insert(Alarm, omit=("clear_time",)).columns) == columns - {"clear_time"}
    with pytest.raises(KeyError):
        Insert(Alarm, omit=("clear_tiem",))


def test_params_encode_json_columns_and_want_every_column() -> None:
    insert = Insert(IncidentHistory)
    values = {"tenant_id": 1, "incident_num": "IM1", "operator": "o", "operate_key": "k", "operate_time": 1}
    assert insert.params({**values, "parameter": {"a": [1]}})["parameter"] == '{"a":[1]}'
    assert insert.params({**values, "parameter": None})["parameter"] is None
    with pytest.raises(KeyError, match=r"missing \['parameter'\], unknown \['paramter'\]"):
        insert.params({**values, "paramter": {}})


def test_update_and_select_refuse_an_unknown_column_when_built() -> None:
    with pytest.raises(KeyError):
        Update(Incident, ("status", "stauts"), "id = :id")
    with pytest.raises(KeyError):
        Select(Incident, ("nope",), "id = :id")
    update = Update(Incident, ("status", "acceptor"), "id = :id")
    assert update.named == "UPDATE incidents SET status = :status, acceptor = :acceptor WHERE id = :id"


def test_json_reads_back_from_text_or_from_the_decoded_value() -> None:
    assert json_value('["a"]') == ["a"] and json_value(["a"]) == ["a"] and json_value(None) is None


def test_a_statement_keeps_names_that_follow_a_colon_in_either_style() -> None:
    statement = Statement("SELECT 1 WHERE a = :a AND b = :b_2")
    assert statement.pyformat == "SELECT 1 WHERE a = %(a)s AND b = %(b_2)s"
