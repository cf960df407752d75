package dev.dialtone.plugin;

import java.util.Map;

/**
 * What a flow test puts in place of a plugin's outside world for its runs: answers to
 * {@code call.http.fetch} (the network is never used, so {@code plugins.allowed-hosts} does not
 * apply) and settings laid over config.yaml's, per plugin name.
 */
public record PluginFixtures(FetchAnswers http, Map<String, Map<String, Object>> config) {
    public PluginFixtures {
        config = Map.copyOf(config);
    }
}
