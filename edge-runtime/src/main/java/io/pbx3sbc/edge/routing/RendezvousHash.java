package io.pbx3sbc.edge.routing;

import java.util.List;

/**
 * Rendezvous (highest random weight) hashing: each request key scores every candidate and takes the
 * highest score. When a candidate leaves, only the keys it won move (to their second best); the
 * others keep their destination, unlike a hash modulo the number of candidates.
 */
public final class RendezvousHash {
    private RendezvousHash() {
    }

    /** 64-bit FNV-1a of a string's UTF-16 units, then mixed: stable across JVMs and versions. */
    public static long of(String s) {
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < s.length(); i++) {
            h ^= s.charAt(i);
            h *= 0x100000001b3L;
        }
        return mix(h);
    }

    /** The candidate with the highest score for {@code key}; null when there is none. */
    public static Backend pick(long key, List<Backend> candidates) {
        Backend best = null;
        long bestScore = 0;
        for (Backend b : candidates) {
            long score = mix(key ^ b.hashKey());
            if (best == null || Long.compareUnsigned(score, bestScore) > 0) {
                best = b;
                bestScore = score;
            }
        }
        return best;
    }

    /** SplitMix64's finaliser: every input bit moves every output bit. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
