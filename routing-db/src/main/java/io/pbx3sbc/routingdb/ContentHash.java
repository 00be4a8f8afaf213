package io.pbx3sbc.routingdb;

import io.pbx3sbc.routingdb.model.Destination;
import io.pbx3sbc.routingdb.model.DispatcherSet;
import io.pbx3sbc.routingdb.model.Domain;
import io.pbx3sbc.routingdb.model.RoutingModel;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 over the routing tables' rows in canonical order, not over file bytes: Litestream adds
 * tables and checkpoints, so the same content reaches an edge as different bytes. The builder
 * hashes the model it writes; the validator hashes the model it reads back from the file.
 *
 * <p>Encoding: a schema tag, then per table its name and row count, then each row's columns
 * (strings length-prefixed UTF-8, null distinct from empty, integers as 8 bytes).
 * The dispatcher {@code id} column is left out: it is a row number, not content.
 */
public final class ContentHash {
    private static final String TAG = "pbx3sbc-routing-db/v" + Schema.VERSION;

    private ContentHash() {
    }

    public static String of(RoutingModel model) {
        Encoder e = new Encoder();
        e.str(TAG);

        e.str(Schema.SIP_DOMAINS).num(model.domains().size());
        for (Domain d : model.domains()) {
            e.str(d.domain()).num(d.setId()).num(d.enabled() ? 1 : 0).str(d.comment());
        }
        e.str(Schema.DISPATCHER).num(model.destinationCount());
        for (Destination d : model.destinations()) {
            e.str(d.uri()).num(d.setId()).num(d.flagsColumn()).num(d.priority()).str(d.attrsColumn());
        }
        e.str(Schema.DISPATCHER_SETS).num(model.sets().size());
        for (DispatcherSet s : model.sets()) {
            e.num(s.setId()).str(s.name()).str(s.algorithm().wireName()).str(s.probing().method())
                    .num(s.probing().intervalSeconds()).num(s.probing().probingThreshold())
                    .num(s.probing().inactiveThreshold()).str(s.probing().replyCodesText())
                    .num(s.probing().timeoutMillis());
        }
        long limited = model.domains().stream().filter(d -> d.rateLimit() != null).count();
        e.str(Schema.DOMAIN_RATE_LIMITS).num(limited);
        for (Domain d : model.domains()) {
            if (d.rateLimit() != null) {
                e.str(d.domain()).num(d.rateLimit().requestsPerSecond()).num(d.rateLimit().burst());
            }
        }
        return e.hex();
    }

    private static final class Encoder {
        private final MessageDigest digest;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 16);

        Encoder() {
            try {
                digest = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException("the JDK always has SHA-256", e);
            }
        }

        Encoder str(String s) {
            if (s == null) {
                return num(-1);
            }
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            num(bytes.length);
            buffer.writeBytes(bytes);
            flushIfLarge();
            return this;
        }

        Encoder num(long v) {
            for (int shift = 56; shift >= 0; shift -= 8) {
                buffer.write((int) (v >>> shift));
            }
            flushIfLarge();
            return this;
        }

        private void flushIfLarge() {
            if (buffer.size() >= 1 << 16) {
                digest.update(buffer.toByteArray());
                buffer.reset();
            }
        }

        String hex() {
            digest.update(buffer.toByteArray());
            return HexFormat.of().formatHex(digest.digest());
        }
    }
}
