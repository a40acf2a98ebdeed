#!/usr/bin/env python3
"""Checks OpenLineage run events, one JSON object a line, with the openlineage-python client.

Each event is rebuilt through the client's classes (RunEvent, Run, Job, InputDataset,
OutputDataset and the standard facets), whose validators check the run id (a UUID), the
event time (ISO 8601 with a time), the event type and the required fields; custom facets
must carry _producer and _schemaURL. The rebuilt event is serialized back with the client's
Serde and must equal the input. Prints `ok <eventType> <job> <runId>` per event; exits 1
with the reason on the first event that fails.

Usage: check-openlineage.py EVENTS.jsonl
"""
import json
import sys

from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (DatasetFacet, JobFacet, RunFacet, error_message_run, job_type_job,
                                         output_statistics_output_dataset)
from openlineage.client.serde import Serde


def standard_or_custom(name, fields, standard, base):
    if name in standard:
        return standard[name](fields)
    for required in ("_producer", "_schemaURL"):
        if not fields.get(required):
            raise ValueError(f"custom facet {name} has no {required}")
    extra = {k: v for k, v in fields.items() if not k.startswith("_")}
    return base(producer=fields["_producer"]).with_additional_properties(**extra)


RUN_FACETS = {
    "errorMessage": lambda f: error_message_run.ErrorMessageRunFacet(
        message=f["message"], programmingLanguage=f["programmingLanguage"], producer=f["_producer"]),
}
JOB_FACETS = {
    "jobType": lambda f: job_type_job.JobTypeJobFacet(
        processingType=f["processingType"], integration=f["integration"], jobType=f.get("jobType"), producer=f["_producer"]),
}
OUTPUT_FACETS = {
    "outputStatistics": lambda f: output_statistics_output_dataset.OutputStatisticsOutputDatasetFacet(
        rowCount=f.get("rowCount"), size=f.get("size"), producer=f["_producer"]),
}


def facets(found, standard, base):
    return {name: standard_or_custom(name, fields, standard, base) for name, fields in (found or {}).items()}


def rebuild(event):
    if event.get("schemaURL") != RunEvent._get_schema():
        raise ValueError(f"schemaURL {event.get('schemaURL')!r} is not {RunEvent._get_schema()}")
    return RunEvent(
        eventType=RunState(event["eventType"]),
        eventTime=event["eventTime"],
        producer=event["producer"],
        run=Run(runId=event["run"]["runId"], facets=facets(event["run"].get("facets"), RUN_FACETS, RunFacet)),
        job=Job(namespace=event["job"]["namespace"], name=event["job"]["name"],
                facets=facets(event["job"].get("facets"), JOB_FACETS, JobFacet)),
        inputs=[InputDataset(namespace=d["namespace"], name=d["name"], facets=facets(d.get("facets"), {}, DatasetFacet))
                for d in event.get("inputs", [])],
        outputs=[OutputDataset(namespace=d["namespace"], name=d["name"],
                               facets=facets(d.get("facets"), {}, DatasetFacet),
                               outputFacets=facets(d.get("outputFacets"), OUTPUT_FACETS, DatasetFacet))
                 for d in event.get("outputs", [])],
    )


def without_custom_schema_urls(event):
    """The client sets a custom facet's _schemaURL to its base class's: compare the rest."""
    def strip(found, standard):
        return {name: ({k: v for k, v in f.items() if k != "_schemaURL"} if name not in standard else f)
                for name, f in (found or {}).items()}
    event = json.loads(json.dumps(event))
    event["run"]["facets"] = strip(event["run"].get("facets"), RUN_FACETS)
    event["job"]["facets"] = strip(event["job"].get("facets"), JOB_FACETS)
    for d in event.get("inputs", []) + event.get("outputs", []):
        d["facets"] = strip(d.get("facets"), {})
        if "outputFacets" in d:
            d["outputFacets"] = strip(d.get("outputFacets"), OUTPUT_FACETS)
    return event


def normalized(event):
    event = without_custom_schema_urls(event)
    for d in event.get("inputs", []) + event.get("outputs", []):
        for key in ("facets", "outputFacets", "inputFacets"):
            if not d.get(key):
                d.pop(key, None)
    for part in (event["run"], event["job"]):
        if not part.get("facets"):
            part.pop("facets", None)
    return json.dumps(event, sort_keys=True)


def main():
    with open(sys.argv[1]) as lines:
        events = [json.loads(line) for line in lines if line.strip()]
    if not events:
        sys.exit("no events in " + sys.argv[1])
    for number, event in enumerate(events, 1):
        try:
            rebuilt = Serde.to_dict(rebuild(event))
        except Exception as error:  # the client's validators raise ValueError, TypeError, KeyError
            sys.exit(f"event {number}: rejected by openlineage-python: {type(error).__name__}: {error}")
        if normalized(rebuilt) != normalized(event):
            sys.exit(f"event {number}: changed by openlineage-python's round trip:\n  sent:    {normalized(event)}\n  rebuilt: {normalized(rebuilt)}")
        print("ok", event["eventType"], event["job"]["name"], event["run"]["runId"])


if __name__ == "__main__":
    main()
