package dev.dialtone.speech.elevenlabs;

import dev.dialtone.net.Json;
import dev.dialtone.net.ProviderError.Kind;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/** ElevenLabs' error shapes, read whatever their case, as typed errors. */
class ElevenLabsWireTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "{\"message\":\"Invalid API Key\",\"error\":\"invalid_api_key\",\"code\":1008}     | AUTH       | false",
            "{\"message\":\"Invalid API key\"}                                                  | AUTH       | false",
            "{\"message\":\"INVALID API KEY\",\"code\":1008}                                    | AUTH       | false",
            "{\"message\":\"Unauthorized\",\"error\":\"auth_error\",\"code\":1008}              | AUTH       | false",
            "{\"message\":\"You have insufficient quota\",\"error\":\"quota_exceeded\"}         | AUTH       | false",
            "{\"message\":\"Have not received a new text input\",\"error\":\"input_timeout_exceeded\",\"code\":1008} | TIMEOUT | true",
            "{\"message\":\"Too many requests\",\"error\":\"too_many_concurrent_requests\"}     | RATE_LIMIT | true",
            "{\"message\":\"Invalid voice_settings: speed\",\"error\":\"invalid_request\",\"code\":1008} | PROTOCOL | false",
            "{\"message\":\"Internal error\",\"code\":1011}                                     | SERVER     | true"})
    void socketErrorMessages(String json, Kind kind, boolean retryable) throws Exception {
        var error = ElevenLabsWire.socketError(Json.MAPPER.readTree(json));
        assertThat(error.kind()).isEqualTo(kind);
        assertThat(error.retryable()).isEqualTo(retryable);
        assertThat(error.provider()).isEqualTo("elevenlabs");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "401 | {\"detail\":{\"status\":\"invalid_api_key\",\"message\":\"Invalid API key\"}}     | AUTH       | HTTP 401: invalid_api_key: Invalid API key",
            "400 | {\"detail\":{\"status\":\"invalid_api_key\",\"message\":\"Invalid API Key\"}}     | AUTH       | HTTP 400: invalid_api_key: Invalid API Key",
            "401 | {\"detail\":{\"status\":\"quota_exceeded\",\"message\":\"Insufficient quota\"}}   | AUTH       | HTTP 401: quota_exceeded: Insufficient quota",
            "429 | {\"detail\":{\"status\":\"too_many_concurrent_requests\",\"message\":\"Busy\"}}    | RATE_LIMIT | HTTP 429: too_many_concurrent_requests: Busy",
            "422 | {\"detail\":[{\"loc\":[\"body\",\"voice_settings\"],\"msg\":\"speed too high\"}]} | PROTOCOL   | HTTP 422: speed too high ([\"body\",\"voice_settings\"])",
            "500 | upstream failure                                                                   | SERVER     | HTTP 500: upstream failure"})
    void httpErrorBodies(int status, String body, Kind kind, String message) {
        var error = ElevenLabsWire.httpError(status, body);
        assertThat(error.kind()).isEqualTo(kind);
        assertThat(error.message()).isEqualTo(message);
        assertThat(error.retryable()).isEqualTo(kind != Kind.AUTH && kind != Kind.PROTOCOL);
    }
}
