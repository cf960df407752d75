-- Post-call analysis: one row per analysed call (the latest run), and its top-level scalar fields
-- in a table of their own, so that /api/calls can filter on them with portable SQL (no JSON
-- operators, which H2 and PostgreSQL spell differently). Both go with their call.

CREATE TABLE call_analysis (
    call_sid     VARCHAR(64)  NOT NULL PRIMARY KEY REFERENCES calls (sid) ON DELETE CASCADE,
    status       VARCHAR(16)  NOT NULL,
    result_json  VARCHAR,
    problem      VARCHAR,
    flow_version VARCHAR(128),
    spec_json    VARCHAR      NOT NULL,
    analyzed_at  TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX call_analysis_status ON call_analysis (status);

CREATE TABLE call_analysis_fields (
    call_sid    VARCHAR(64)   NOT NULL REFERENCES calls (sid) ON DELETE CASCADE,
    name        VARCHAR(200)  NOT NULL,
    field_value VARCHAR(1000) NOT NULL,
    PRIMARY KEY (call_sid, name)
);
CREATE INDEX call_analysis_fields_value ON call_analysis_fields (name, field_value);
