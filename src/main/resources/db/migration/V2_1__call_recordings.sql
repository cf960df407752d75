-- Twilio recordings of calls: the recording's sid and its last known status, per call. No foreign
-- key to calls: a recording starts with the stream, before the call's row has been written, and
-- it must outlive its call's row until Twilio has deleted the audio (the retention purge).

CREATE TABLE call_recordings (
    recording_sid VARCHAR(64) NOT NULL PRIMARY KEY,
    call_sid      VARCHAR(64) NOT NULL,
    status        VARCHAR(32) NOT NULL,
    channels      INTEGER,
    duration_s    INTEGER,
    updated_at    TIMESTAMP WITH TIME ZONE NOT NULL
);
CREATE INDEX call_recordings_call ON call_recordings (call_sid);
