package io.pbx3sbc.operator.publish;

import io.pbx3sbc.routingdb.manifest.EdgeReport;
import io.pbx3sbc.routingdb.manifest.Nudge;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * Push, then poll: tells a fleet's edges that the release pointer changed ({@code POST /nudge} with a
 * nudge signed by the fleet's key), so they read it at once instead of at their next slow poll. Edges
 * answer once they have looked and reported, so the caller can read the reports right after.
 *
 * <p>An edge's nudge address comes from its own report, which anyone holding the edge credential can
 * write; so only IP literals are called (no name is resolved), with short timeouts, no redirects, and a
 * body that carries no secret: the worst a forged address gets is one signed "look now" it cannot use.
 */
public final class FleetNudger implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetNudger.class);
    /** ip:port with a dotted IPv4 or a bracketed IPv6 literal, nothing that needs a resolver. */
    private static final Pattern ADDRESS = Pattern.compile("(\\d{1,3}(\\.\\d{1,3}){3}|\\[[0-9a-fA-F:.]+\\]):\\d{1,5}");
    /** A look may include a restore of a large version. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(20);

    /** An answer body larger than this is not an edge report. */
    static final int MAX_ANSWER_BYTES = 64 * 1024;

    /**
     * How many edges were nudged and how many answered that they had looked, with what each answered (by
     * edge id): its report as it last wrote it, which {@link FleetPromoter.ReportCache#offer} can take
     * instead of reading it back.
     */
    public record Result(int nudged, int answered, Map<String, byte[]> answers) {
        public static final Result NONE = new Result(0, 0, Map.of());
    }

    private record Answer(String edgeId, byte[] body) {
    }

    private final ExecutorService executor;
    private final HttpClient http;

    public FleetNudger() {
        executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "fleet-nudger");
            t.setDaemon(true);
            return t;
        });
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).followRedirects(HttpClient.Redirect.NEVER)
                .executor(executor).build();
    }

    /** Whether an address from a report may be called: an IP literal and a port. */
    static boolean callable(String address) {
        return address != null && ADDRESS.matcher(address).matches();
    }

    /** Nudges every edge in {@code live} that gives an address, in parallel, and waits for their answers. */
    public Result nudge(List<EdgeReport> live, Nudge signed) {
        byte[] body = signed.toJson();
        List<CompletableFuture<Answer>> calls = new ArrayList<>();
        for (EdgeReport r : live) {
            if (!callable(r.nudgeAddress())) {
                continue;
            }
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + r.nudgeAddress() + "/nudge"))
                    .timeout(ANSWER_TIMEOUT).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
            calls.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream())
                    .thenApply(response -> {
                        try (var in = response.body()) {
                            if (response.statusCode() != 200) {
                                LOG.debug("edge {} answered its nudge with {}", r.edgeId(), response.statusCode());
                                return null;
                            }
                            byte[] answer = in.readNBytes(MAX_ANSWER_BYTES + 1);
                            return new Answer(r.edgeId(), answer.length > MAX_ANSWER_BYTES ? new byte[0] : answer);
                        } catch (java.io.IOException e) {
                            return new Answer(r.edgeId(), new byte[0]);
                        }
                    })
                    .exceptionally(e -> {
                        LOG.debug("edge {} not nudged at {}: {}", r.edgeId(), r.nudgeAddress(), e.toString());
                        return null;
                    }));
        }
        Map<String, byte[]> answers = new HashMap<>();
        for (CompletableFuture<Answer> c : calls) {
            Answer a = c.join();
            if (a != null) {
                answers.put(a.edgeId(), a.body());
            }
        }
        return new Result(calls.size(), answers.size(), answers);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
