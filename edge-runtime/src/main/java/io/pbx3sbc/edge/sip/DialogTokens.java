package io.pbx3sbc.edge.sip;

import io.pbx3sbc.edge.MountedFiles;
import io.pbx3sbc.edge.sip.transport.Peer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the edge signs so it can later trust only what it made (RFC 5626 §5.2's flow token, applied to
 * the branch and the Record-Route): HMAC-SHA256 with a per-fleet key, truncated to 96 bits.
 *
 * <ul>
 *   <li>Via branch: {@code z9hG4bK<kind><nonce>.<mac>}, the MAC bound to the address the response will be
 *   passed on to. A response on a branch the edge did not make, or whose next Via was changed, is not
 *   forwarded: the edge cannot be used to reflect traffic at a forged Via.</li>
 *   <li>Record-Route: a token naming the dialog's two hops (how the edge reaches each side: transport
 *   and address, not a host name that might resolve elsewhere), the caller's From tag and the tenant,
 *   bound to the Call-ID. An in-dialog request is relayed only when its Route carries a token that
 *   verifies for its Call-ID, and only to the other side of the dialog, told by its From tag.</li>
 *   <li>Path (RFC 3327): a flow token naming how a registered phone reached the edge (RFC 5626 §5.2), so
 *   the PBX's requests to that phone come back over the same connection or NAT binding.</li>
 * </ul>
 * All edges of a fleet share the key, so any of them can carry a dialog another one set up.
 *
 * <p>Rotation without dropping dialogs or registrations: next to the key file, {@code <file>.next} (a
 * key being introduced) and {@code <file>.previous} (the key being retired) are accepted too, and the
 * files are read again while the edge runs. Only the key file itself signs. docs/operations.md has the
 * three steps.
 */
public final class DialogTokens {
    private static final Logger LOG = LoggerFactory.getLogger(DialogTokens.class);
    private static final String MAGIC = "z9hG4bK";
    private static final int MAC_BYTES = 12;
    private static final HexFormat HEX = HexFormat.of();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final boolean ephemeral;
    /** Where the keys were read from (null: given in memory), and what was read last. */
    private final Path source;
    private volatile Keys keys;
    private byte[] lastRead;
    private Thread watcher;

    /** The key that signs first, then the others still (or already) accepted. */
    private record Keys(List<ThreadLocal<Mac>> macs, List<String> ids) {
        static Keys of(List<byte[]> keys) {
            List<ThreadLocal<Mac>> macs = new ArrayList<>();
            List<String> ids = new ArrayList<>();
            for (byte[] key : keys) {
                if (key.length < 16) {
                    throw new IllegalArgumentException("dialog key must have at least 16 bytes, got " + key.length);
                }
                byte[] k = key.clone();
                macs.add(ThreadLocal.withInitial(() -> {
                    try {
                        Mac m = Mac.getInstance("HmacSHA256");
                        m.init(new SecretKeySpec(k, "HmacSHA256"));
                        return m;
                    } catch (java.security.GeneralSecurityException e) {
                        throw new IllegalStateException("HmacSHA256 unavailable", e);
                    }
                }));
                ids.add(keyId(k));
            }
            return new Keys(List.copyOf(macs), List.copyOf(ids));
        }
    }

    /**
     * How the edge reaches one side: a transport and an IP address.
     *
     * @param flowOnly only over the flow that side opened (its connection; for UDP its address): never dial it
     */
    public record Hop(Peer.Transport transport, boolean flowOnly, String ip, int port) {
        public static Hop of(Peer peer, boolean flowOnly) {
            return new Hop(peer.transport(), flowOnly, peer.hostAddress(), peer.address().getPort());
        }

        public Peer peer() {
            return new Peer(transport, new InetSocketAddress(ip, port));
        }

        String encode() {
            char t = switch (transport) {
                case UDP -> 'U';
                case TCP -> 'T';
                case TLS -> 'S';
            };
            return t + (flowOnly ? "f" : "-") + "/" + ip + "/" + port;
        }

        static Hop decode(String s) {
            String[] p = s.split("/", -1);
            if (p.length != 3 || p[0].length() != 2) {
                throw new IllegalArgumentException("bad hop");
            }
            Peer.Transport t = switch (p[0].charAt(0)) {
                case 'U' -> Peer.Transport.UDP;
                case 'T' -> Peer.Transport.TCP;
                case 'S' -> Peer.Transport.TLS;
                default -> throw new IllegalArgumentException("bad hop transport");
            };
            return new Hop(t, p[0].charAt(1) == 'f', p[1], Integer.parseInt(p[2]));
        }
    }

    /**
     * One dialog as its Record-Route token names it.
     *
     * @param callerTag the From tag of the request that set it up: requests carrying it come from the caller
     */
    public record DialogPeers(String callerTag, Hop caller, Hop callee, String tenant) {
        /** The hop an in-dialog request goes to, told by its tags; null when neither side's tag is on it. */
        public Hop towards(String fromTag, String toTag) {
            if (callerTag.equals(fromTag)) {
                return callee;
            }
            return callerTag.equals(toTag) ? caller : null;
        }
    }

    /** A registered phone's flow, as its Path token names it. */
    public record Flow(Hop hop, String tenant) {
    }

    public DialogTokens(byte[] key, boolean ephemeral) {
        this(List.of(key), ephemeral, null);
    }

    /** @param keys the signing key first, then keys that are only accepted */
    private DialogTokens(List<byte[]> keys, boolean ephemeral, Path source) {
        this.keys = Keys.of(keys);
        this.ephemeral = ephemeral;
        this.source = source;
    }

    /** A key of this process only: dialogs it sets up cannot move to another edge or survive a restart. */
    public static DialogTokens random() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return new DialogTokens(k, true);
    }

    /**
     * The fleet's key file (raw bytes, or text of at least 16 characters; surrounding whitespace ignored),
     * and {@code <file>.next} and {@code <file>.previous} when present: accepted, never used to sign.
     */
    public static DialogTokens fromFile(Path file) throws IOException {
        List<byte[]> keys = readKeys(file);
        DialogTokens t = new DialogTokens(keys, false, file);
        t.lastRead = MountedFiles.fingerprint(keys);
        return t;
    }

    private static List<byte[]> readKeys(Path file) throws IOException {
        List<byte[]> keys = new ArrayList<>(List.of(readKey(file)));
        for (String sibling : List.of(".next", ".previous")) {
            Path p = file.resolveSibling(file.getFileName() + sibling);
            if (Files.exists(p)) {
                keys.add(readKey(p));
            }
        }
        return keys;
    }

    private static byte[] readKey(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        String text = new String(raw, StandardCharsets.ISO_8859_1).strip();
        return text.isEmpty() ? raw : text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A short public name of a key: the first 8 hex digits of its SHA-256, for logs and metrics. */
    static String keyId(byte[] key) {
        try {
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(key), 0, 4);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Reads the key files again; a changed set that loads replaces the one in use, one that does not
     * (a key too short, a file half written) is refused and the keys in use stay.
     *
     * @return true when the keys changed
     */
    public synchronized boolean reload() {
        if (source == null) {
            return false;
        }
        try {
            List<byte[]> read = readKeys(source);
            byte[] print = MountedFiles.fingerprint(read);
            if (java.util.Arrays.equals(print, lastRead)) {
                return false;
            }
            Keys next = Keys.of(read);
            keys = next;
            lastRead = print;
            LOG.info("dialog keys reloaded from {}: {}", source, describeKeys());
            return true;
        } catch (IOException | IllegalArgumentException e) {
            LOG.error("dialog keys in {} refused, the keys in use stay: {}", source, e.toString());
            return false;
        }
    }

    /** Reads the key files every {@code periodMillis} (a Secret volume changes them in place). */
    public void watch(long periodMillis) {
        if (source == null) {
            return;
        }
        watcher = MountedFiles.watch("dialog-key-reload", periodMillis, this::reload);
    }

    public void stopWatching() {
        if (watcher != null) {
            watcher.interrupt();
        }
    }

    /** Which key signs and which are also accepted, by id, for the log. */
    public String describeKeys() {
        List<String> ids = keys.ids();
        return "signing with " + ids.get(0) + ", also accepting " + ids.subList(1, ids.size());
    }

    /** The ids of the keys in use, the signing one first. */
    public List<String> keyIds() {
        return keys.ids();
    }

    public boolean isEphemeral() {
        return ephemeral;
    }

    // ---------------------------------------------------------------------------------------------
    // Via branches

    /** A new branch of the given kind ('r' relay, 'p' probe), bound to where its responses go next. */
    public String branch(char kind, String boundTo) {
        byte[] nonce = new byte[8];
        ThreadLocalRandom.current().nextBytes(nonce);
        return branchOf(kind, HEX.formatHex(nonce), boundTo);
    }

    /** The same branch each time for the same input: a stateless relay's retransmissions must match. */
    public String derivedBranch(char kind, String seed, String boundTo) {
        return branchOf(kind, HEX.formatHex(mac("seed|" + seed), 0, 8), boundTo);
    }

    private String branchOf(char kind, String nonce, String boundTo) {
        String body = kind + nonce;
        return MAGIC + body + "." + HEX.formatHex(mac(body + "|" + boundTo));
    }

    /** Whether this edge made {@code branch} for responses that go on to {@code boundTo}. */
    public boolean isOurBranch(String branch, String boundTo) {
        if (branch == null || !branch.startsWith(MAGIC)) {
            return false;
        }
        int dot = branch.lastIndexOf('.');
        if (dot < MAGIC.length() + 2 || branch.length() - dot - 1 != MAC_BYTES * 2) {
            return false;
        }
        byte[] given;
        try {
            given = HEX.parseHex(branch, dot + 1, branch.length());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return signedByUs(given, branch.substring(MAGIC.length(), dot) + "|" + boundTo);
    }

    /** The kind letter of one of our branches, or 0. */
    public static char kindOf(String branch) {
        return branch != null && branch.length() > MAGIC.length() && branch.startsWith(MAGIC) ? branch.charAt(MAGIC.length()) : 0;
    }

    // ---------------------------------------------------------------------------------------------
    // Record-Route

    public String routeToken(String callId, DialogPeers peers) {
        String body = B64.encodeToString((peers.callerTag() + "|" + peers.caller().encode() + "|" + peers.callee().encode()
                + "|" + peers.tenant()).getBytes(StandardCharsets.UTF_8));
        return body + "." + B64.encodeToString(mac(body + "|" + callId));
    }

    /** The peers a Record-Route token names, when it was made by this fleet for this Call-ID. */
    public Optional<DialogPeers> verifyRoute(String callId, String token) {
        if (token == null || callId == null) {
            return Optional.empty();
        }
        int dot = token.lastIndexOf('.');
        if (dot <= 0) {
            return Optional.empty();
        }
        try {
            byte[] given = B64D.decode(token.substring(dot + 1));
            String body = token.substring(0, dot);
            if (!signedByUs(given, body + "|" + callId)) {
                return Optional.empty();
            }
            String[] parts = new String(B64D.decode(body), StandardCharsets.UTF_8).split("\\|", -1);
            return parts.length == 4 ? Optional.of(new DialogPeers(parts[0], Hop.decode(parts[1]), Hop.decode(parts[2]), parts[3]))
                    : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Path flow tokens

    /** The user part of our Path URI for a phone's flow: {@code F.<flow>.<mac>}, valid on every edge of the fleet. */
    public String flowToken(Flow flow) {
        String body = B64.encodeToString((flow.hop().encode() + "|" + flow.tenant()).getBytes(StandardCharsets.UTF_8));
        return "F." + body + "." + B64.encodeToString(mac("flow|" + body));
    }

    public static boolean looksLikeFlowToken(String user) {
        return user != null && user.startsWith("F.");
    }

    /** The flow a Path user part names, when this fleet made it. */
    public Optional<Flow> verifyFlow(String user) {
        if (!looksLikeFlowToken(user)) {
            return Optional.empty();
        }
        int dot = user.lastIndexOf('.');
        if (dot <= 2) {
            return Optional.empty();
        }
        try {
            String body = user.substring(2, dot);
            if (!signedByUs(B64D.decode(user.substring(dot + 1)), "flow|" + body)) {
                return Optional.empty();
            }
            String[] parts = new String(B64D.decode(body), StandardCharsets.UTF_8).split("\\|", -1);
            return parts.length == 2 ? Optional.of(new Flow(Hop.decode(parts[0]), parts[1])) : Optional.empty();
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** Signed with the signing key. */
    private byte[] mac(String input) {
        return mac(keys.macs().get(0), input);
    }

    /** Whether {@code given} is the MAC of {@code input} under any key we accept, the signing key first. */
    private boolean signedByUs(byte[] given, String input) {
        for (ThreadLocal<Mac> m : keys.macs()) {
            if (MessageDigest.isEqual(given, mac(m, input))) {
                return true;
            }
        }
        return false;
    }

    private static byte[] mac(ThreadLocal<Mac> macs, String input) {
        Mac m = macs.get();
        byte[] full = m.doFinal(input.getBytes(StandardCharsets.UTF_8));
        return java.util.Arrays.copyOf(full, MAC_BYTES);
    }
}
