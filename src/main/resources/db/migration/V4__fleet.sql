-- The fleet: every running instance (its heartbeat and the flow versions it serves) and the calls
-- each one holds now. An instance whose heartbeat stops is gone: another marks its calls failed
-- and removes its rows. Portable SQL, as V1.

CREATE TABLE fleet_instances (
    id           VARCHAR(64) NOT NULL PRIMARY KEY,
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL,
    flows_json   VARCHAR     NOT NULL
);

CREATE TABLE live_calls (
    call_sid     VARCHAR(64)  NOT NULL PRIMARY KEY,
    instance_id  VARCHAR(64)  NOT NULL,
    flow_name    VARCHAR(200),
    from_number  VARCHAR(255),
    to_number    VARCHAR(255),
    started_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    heartbeat_at TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX live_calls_instance ON live_calls (instance_id);
CREATE INDEX live_calls_heartbeat ON live_calls (heartbeat_at);
