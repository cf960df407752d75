package dev.dialtone.plugin;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Operator settings for plugins, from config.yaml's {@code plugins:} block: the hosts
 * {@code http.fetch} may reach ({@code api.example.com}, {@code *.example.com}, {@code 127.0.0.1:8081})
 * and each plugin's own settings ({@code config: { menu_price: {...} }}), which may hold API keys and
 * are therefore never logged.
 */
public record PluginSettings(List<String> allowedHosts, Map<String, Map<String, Object>> config, PluginLimits limits) {

    public PluginSettings {
        allowedHosts = allowedHosts.stream().map(h -> h.trim().toLowerCase(Locale.ROOT)).filter(h -> !h.isEmpty()).toList();
        config = Map.copyOf(config);
    }

    /** The operator's allow-list and per-plugin settings, with the default limits. */
    public static PluginSettings of(List<String> allowedHosts, Map<String, Map<String, Object>> config) {
        return new PluginSettings(allowedHosts, config, PluginLimits.defaults());
    }

    /** No network, no plugin settings, default limits: what offline validation uses. */
    public static PluginSettings none() {
        return new PluginSettings(List.of(), Map.of(), PluginLimits.defaults());
    }

    Map<String, Object> configOf(String plugin) {
        return config.getOrDefault(plugin, Map.of());
    }

    @Override
    public String toString() {
        return "PluginSettings[allowedHosts=" + allowedHosts + ", config for " + config.keySet() + ", limits=" + limits + "]";
    }
}
