-- Call records: one row per call, its turns, the tool calls of each turn, events that matter
-- and provider usage. Portable SQL: the same script runs on H2 2.x and PostgreSQL.
-- Free text is VARCHAR without a length (unbounded on PostgreSQL, a million characters on H2;
-- the writer caps tool JSON and event details well below that).
-- Children go with their call (ON DELETE CASCADE), so the retention purge deletes calls only.

CREATE TABLE calls (
    sid          VARCHAR(64)  NOT NULL PRIMARY KEY,
    flow_name    VARCHAR(200),
    flow_version VARCHAR(128),
    from_number  VARCHAR(255),
    to_number    VARCHAR(255),
    direction    VARCHAR(16)  NOT NULL,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    ended_at     TIMESTAMP WITH TIME ZONE,
    end_reason   VARCHAR,
    status       VARCHAR(16)  NOT NULL
);
CREATE INDEX calls_started ON calls (started_at);
CREATE INDEX calls_flow ON calls (flow_name, started_at);
CREATE INDEX calls_from ON calls (from_number);
CREATE INDEX calls_to ON calls (to_number);
CREATE INDEX calls_status ON calls (status, started_at);

CREATE TABLE turns (
    call_sid               VARCHAR(64) NOT NULL REFERENCES calls (sid) ON DELETE CASCADE,
    turn_index             INTEGER     NOT NULL,
    caller_text            VARCHAR     NOT NULL,
    agent_text             VARCHAR     NOT NULL,
    interrupted            BOOLEAN     NOT NULL,
    caller_speech_ended_at TIMESTAMP WITH TIME ZONE,
    stt_final_at           TIMESTAMP WITH TIME ZONE,
    llm_first_token_at     TIMESTAMP WITH TIME ZONE,
    first_segment_at       TIMESTAMP WITH TIME ZONE,
    tts_first_audio_at     TIMESTAMP WITH TIME ZONE,
    first_audio_sent_at    TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (call_sid, turn_index)
);

CREATE TABLE tool_calls (
    call_sid       VARCHAR(64)  NOT NULL,
    turn_index     INTEGER      NOT NULL,
    seq            INTEGER      NOT NULL,
    name           VARCHAR(200) NOT NULL,
    arguments_json VARCHAR      NOT NULL,
    result_json    VARCHAR,
    duration_ms    BIGINT       NOT NULL,
    error          VARCHAR,
    PRIMARY KEY (call_sid, turn_index, seq),
    FOREIGN KEY (call_sid, turn_index) REFERENCES turns (call_sid, turn_index) ON DELETE CASCADE
);

CREATE TABLE call_events (
    id          VARCHAR(36) NOT NULL PRIMARY KEY,
    call_sid    VARCHAR(64) NOT NULL REFERENCES calls (sid) ON DELETE CASCADE,
    occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
    kind        VARCHAR(32) NOT NULL,
    detail      VARCHAR     NOT NULL
);
CREATE INDEX call_events_call ON call_events (call_sid, occurred_at);

CREATE TABLE call_usage (
    id            VARCHAR(36)  NOT NULL PRIMARY KEY,
    call_sid      VARCHAR(64)  NOT NULL REFERENCES calls (sid) ON DELETE CASCADE,
    provider      VARCHAR(100) NOT NULL,
    kind          VARCHAR(32)  NOT NULL,
    input_amount  BIGINT       NOT NULL,
    output_amount BIGINT       NOT NULL
);
CREATE INDEX call_usage_call ON call_usage (call_sid);
