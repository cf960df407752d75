package dev.dialtone;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.testing.junit5.ServerTest;
import io.helidon.webserver.testing.junit5.SetUpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import dev.dialtone.flow.FlowCheck;
import dev.dialtone.flow.TurnTaking;
import dev.dialtone.store.StoreSettings;

/**
 * The Kubernetes manifests (deploy/kubernetes), rendered as Kustomize renders them (by
 * {@code kubectl kustomize} when it is installed, else by following the kustomizations'
 * resources), checked against the server itself: the probe paths answer on a running server (and
 * readiness fails once it drains), the container port is the server's, every environment variable
 * is one the server reads, the flow ConfigMap is mounted where the server reads flows and its
 * flows pass the server's validation, the grace period covers the drain, and the Service, Ingress,
 * budget and autoscaler point at what exists (the autoscaler's metric is one the server exports).
 */
@ServerTest
class KubernetesManifestsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final Path EXAMPLE = ROOT.resolve("deploy/kubernetes/example");
    private static Parts parts;

    private final URI server;
    private final HttpClient http = HttpClient.newHttpClient();

    KubernetesManifestsTest(URI server) {
        this.server = server;
    }

    @SetUpServer
    static void setUp(WebServerConfig.Builder builder) throws IOException {
        // no flows: the probes and metrics do not need them, and loading the shipped ones takes seconds
        var none = Files.createTempDirectory("dialtone-no-flows").toString();
        parts = Parts.create(TestSettings.with(Map.of("DIALTONE_FLOWS", none, "DIALTONE_PLUGINS", none)), Clock.systemUTC());
        Main.setUp(builder, parts);
    }

    @AfterAll
    static void close() {
        parts.close();
    }

    @Test
    void theManifestsMatchTheServer(@TempDir Path dir) throws Exception {
        var docs = render(EXAMPLE);
        var deployment = only(docs, "Deployment");
        var pod = map(map(deployment, "spec", "template"), "spec");
        var container = list(pod, "containers").getFirst();
        var podLabels = map(map(deployment, "spec", "template"), "metadata", "labels");

        // environment: every name is one the server (or its launcher) reads
        var env = new LinkedHashMap<String, String>();
        for (var e : list(container, "env")) {
            env.put((String) e.get("name"), String.valueOf(e.get("value")));
        }
        for (var from : list(container, "envFrom")) {
            var secret = named(docs, "Secret", (String) map(from, "secretRef").get("name"));
            map(secret, "stringData").forEach((name, value) -> env.putIfAbsent(name, "set-" + name));
        }
        assertThat(env.keySet()).as("environment variables the server reads").allMatch(KubernetesManifestsTest::readByServer);
        var settings = Settings.load(ROOT.resolve("config.yaml"), env);

        // port
        var port = list(container, "ports").getFirst();
        assertThat(port.get("containerPort")).isEqualTo(settings.port());

        // probes: the paths, on the named port; they answer on a real server, readiness fails on drain
        var readiness = map(container, "readinessProbe", "httpGet");
        var liveness = map(container, "livenessProbe", "httpGet");
        assertThat(readiness.get("port")).isEqualTo(port.get("name"));
        assertThat(liveness.get("port")).isEqualTo(port.get("name"));
        assertThat(status((String) readiness.get("path"))).as("readiness while serving").isEqualTo(200);
        assertThat(status((String) liveness.get("path"))).isEqualTo(200);
        assertThat(status((String) map(container, "startupProbe", "httpGet").get("path"))).isEqualTo(200);

        // the flow folder: the ConfigMap is mounted where the server reads flows (relative to the image's WORKDIR)
        var workdir = Path.of(Files.readAllLines(ROOT.resolve("Dockerfile")).stream()
                                   .filter(l -> l.startsWith("WORKDIR ")).findFirst().orElseThrow().substring(8).strip());
        var flowsPath = workdir.resolve(settings.flows()).normalize().toString();
        var mount = list(container, "volumeMounts").stream().filter(m -> flowsPath.equals(m.get("mountPath"))).findFirst();
        assertThat(mount).as("a volume mounted at " + flowsPath).isPresent();
        var volume = list(pod, "volumes").stream().filter(v -> v.get("name").equals(mount.get().get("name"))).findFirst().orElseThrow();
        var flows = named(docs, "ConfigMap", (String) map(volume, "configMap").get("name"));
        var flowDir = Files.createDirectories(dir.resolve("flows"));
        for (var file : map(flows, "data").entrySet()) {
            Files.writeString(flowDir.resolve(file.getKey()), (String) file.getValue());
        }
        var report = new ByteArrayOutputStream();
        int check = FlowCheck.run(flowDir, ROOT.resolve("plugins"), Set.of("deepgram", "openai", "anthropic", "elevenlabs"),
                                  new PrintStream(report, true, StandardCharsets.UTF_8));
        assertThat(check).as("the ConfigMap's flows validate (plugins from the image's /app/plugins):\n" + report).isZero();
        var pluginsPath = workdir.resolve(settings.plugins()).normalize().toString();
        assertThat(list(container, "volumeMounts")).as("plugins come with the image unless mounted")
                .noneMatch(m -> pluginsPath.equals(m.get("mountPath")));

        // the grace period covers the drain and the goodbyes
        var drain = settings.drain().deadline().orElseGet(() -> longestMaxCall(map(flows, "data")));
        assertThat(((Number) pod.get("terminationGracePeriodSeconds")).longValue())
                .as("terminationGracePeriodSeconds").isGreaterThan(drain.plus(settings.drain().goodbye()).toSeconds());

        // the objects around the pods
        var service = only(docs, "Service");
        assertThat(podLabels).containsAllEntriesOf(map(service, "spec", "selector"));
        assertThat(list(map(service, "spec"), "ports").getFirst().get("targetPort")).isEqualTo(port.get("name"));
        assertThat(podLabels).containsAllEntriesOf(map(only(docs, "PodDisruptionBudget"), "spec", "selector", "matchLabels"));
        assertThat(podLabels).containsAllEntriesOf(map(deployment, "spec", "selector", "matchLabels"));

        var ingress = only(docs, "Ingress");
        var backend = map(list(map(list(map(ingress, "spec"), "rules").getFirst(), "http"), "paths").getFirst(), "backend", "service");
        assertThat(backend.get("name")).isEqualTo(map(service, "metadata").get("name"));
        assertThat(map(backend, "port").get("name")).isEqualTo(list(map(service, "spec"), "ports").getFirst().get("name"));
        var annotations = map(ingress, "metadata", "annotations");
        for (var timeout : List.of("proxy-read-timeout", "proxy-send-timeout")) {
            assertThat(Long.parseLong((String) annotations.get("nginx.ingress.kubernetes.io/" + timeout)))
                    .as(timeout + " outlasts a call").isGreaterThanOrEqualTo(longestMaxCall(map(flows, "data")).toSeconds());
        }

        var hpa = only(docs, "HorizontalPodAutoscaler");
        assertThat(map(hpa, "spec", "scaleTargetRef").get("name")).isEqualTo(map(deployment, "metadata").get("name"));
        var metric = (String) map(list(map(hpa, "spec"), "metrics").getFirst(), "pods", "metric").get("name");
        var metrics = http.send(HttpRequest.newBuilder(server.resolve("/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.body().lines()).as("the autoscaler's metric is exported").anyMatch(l -> l.startsWith(metric + " "));

        // last, as it changes the server: once draining, readiness fails and liveness holds
        assertThat(parts.drain().begin()).isTrue();
        assertThat(status((String) readiness.get("path"))).as("readiness while draining").isEqualTo(503);
        assertThat(status((String) liveness.get("path"))).isEqualTo(200);
    }

    /** A name the server reads: a setting's variable, the store's, or the launcher's (the image's entrypoint). */
    private static boolean readByServer(String name) {
        if (Settings.ENVIRONMENT.containsKey(name)) {
            return true;
        }
        if (!StoreSettings.fromEnvironment(Map.of(name, "1")).equals(StoreSettings.fromEnvironment(Map.of()))) {
            return true;
        }
        try {
            return Files.readString(ROOT.resolve("deploy/image/entrypoint.sh")).contains("${" + name);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Duration longestMaxCall(Map<String, Object> flowFiles) {
        return flowFiles.values().stream()
                .map(text -> (Map<String, Object>) new Yaml().load((String) text))
                .map(flow -> flow.get("turn") instanceof Map<?, ?> turn && turn.get("max_call_s") instanceof Number n
                        ? Duration.ofSeconds(n.longValue()) : TurnTaking.DEFAULTS.maxCall())
                .max(Duration::compareTo).orElse(TurnTaking.DEFAULTS.maxCall());
    }

    private int status(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(server.resolve(path)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    /**
     * The documents Kustomize renders for {@code kustomization}: {@code kubectl kustomize}'s output
     * when kubectl is installed (and then the same objects as the resources followed by hand), else
     * the resources followed by hand.
     */
    static List<Map<String, Object>> render(Path kustomization) throws Exception {
        var followed = follow(kustomization);
        var kubectl = kubectlKustomize(kustomization);
        if (kubectl == null) {
            return followed;
        }
        assertThat(kubectl.stream().map(KubernetesManifestsTest::id).collect(Collectors.toSet()))
                .as("kubectl kustomize renders the same objects")
                .isEqualTo(followed.stream().map(KubernetesManifestsTest::id).collect(Collectors.toSet()));
        return kubectl;
    }

    /** The kustomization's resources, files and folders, depth first; transformers are not applied. */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> follow(Path kustomization) throws IOException {
        var out = new ArrayList<Map<String, Object>>();
        Map<String, Object> k = new Yaml().load(Files.readString(kustomization.resolve("kustomization.yaml")));
        for (var resource : (List<String>) k.get("resources")) {
            var path = kustomization.resolve(resource).normalize();
            if (Files.isDirectory(path)) {
                out.addAll(follow(path));
            } else {
                for (var doc : new Yaml().loadAll(Files.readString(path))) {
                    out.add((Map<String, Object>) doc);
                }
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> kubectlKustomize(Path kustomization) throws Exception {
        var onPath = List.of(System.getenv().getOrDefault("PATH", "").split(":")).stream()
                         .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, "kubectl")));
        if (!onPath) {
            return null;
        }
        var process = new ProcessBuilder("kubectl", "kustomize", kustomization.toString()).redirectErrorStream(true).start();
        var out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("kubectl kustomize:\n" + out).isZero();
        var docs = new ArrayList<Map<String, Object>>();
        new Yaml().loadAll(out).forEach(doc -> docs.add((Map<String, Object>) doc));
        return docs;
    }

    private static String id(Map<String, Object> doc) {
        return doc.get("kind") + "/" + map(doc, "metadata").get("name");
    }

    private static Map<String, Object> only(List<Map<String, Object>> docs, String kind) {
        var found = docs.stream().filter(d -> kind.equals(d.get("kind"))).toList();
        assertThat(found).as("one " + kind).hasSize(1);
        return found.getFirst();
    }

    private static Map<String, Object> named(List<Map<String, Object>> docs, String kind, String name) {
        return docs.stream().filter(d -> kind.equals(d.get("kind")) && name.equals(map(d, "metadata").get("name")))
                   .findFirst().orElseThrow(() -> new AssertionError("no " + kind + " named " + name));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> node, String... path) {
        var current = node;
        for (var key : path) {
            var next = current.get(key);
            assertThat(next).as(String.join(".", path)).isInstanceOf(Map.class);
            current = (Map<String, Object>) next;
        }
        return current;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Map<String, Object> node, String key) {
        var value = node.get(key);
        assertThat(value).as(key).isInstanceOf(List.class);
        return new ArrayList<>((List<Map<String, Object>>) value);
    }
}
