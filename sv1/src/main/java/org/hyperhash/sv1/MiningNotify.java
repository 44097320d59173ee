package org.hyperhash.sv1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code mining.notify} params: {@code [job_id, prevhash, coinb1, coinb2, merkle_branch[], version,
 * nbits, ntime, clean_jobs]}.
 *
 * @param jobId SV1 job id (any string)
 * @param prevHash previous block hash, SV2 wire order (rendered word-swapped)
 * @param coinb1 coinbase bytes before extranonce1
 * @param coinb2 coinbase bytes after extranonce2
 * @param merkleBranch raw 32-byte nodes, leaf level first
 * @param version job nVersion
 * @param nbits compact target
 * @param ntime start time
 * @param cleanJobs true: drop all previous jobs
 */
public record MiningNotify(String jobId, Hash256 prevHash, Bytes coinb1, Bytes coinb2, List<Hash256> merkleBranch,
        int version, int nbits, int ntime, boolean cleanJobs) {
    public static final String METHOD = "mining.notify";

    public MiningNotify {
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(coinb1, "coinb1");
        Objects.requireNonNull(coinb2, "coinb2");
        merkleBranch = List.copyOf(merkleBranch);
    }

    public ArrayNode toParams() {
        ArrayNode p = JsonNodeFactory.instance.arrayNode();
        p.add(jobId);
        p.add(PrevHash.toSv1(prevHash));
        p.add(coinb1.toHex());
        p.add(coinb2.toHex());
        ArrayNode branch = p.addArray();
        for (Hash256 h : merkleBranch) {
            branch.add(h.toWireHex());
        }
        p.add(Sv1Hex.u32(version));
        p.add(Sv1Hex.u32(nbits));
        p.add(Sv1Hex.u32(ntime));
        p.add(cleanJobs);
        return p;
    }

    public Sv1Message.Request toMessage() {
        return Sv1Message.Request.notification(METHOD, toParams());
    }

    /** Parses notify params (client side). */
    public static MiningNotify fromParams(ArrayNode p) throws Sv1ParseException {
        if (p.size() < 9) {
            throw new Sv1ParseException("mining.notify: expected 9 params, got " + p.size());
        }
        JsonNode id = p.get(0);
        if (!id.isTextual() && !id.isNumber()) {
            throw new Sv1ParseException("mining.notify params[0] job_id: expected a string");
        }
        Hash256 prev = PrevHash.fromSv1(Sv1Hex.text("mining.notify params[1] prevhash", p.get(1)));
        Bytes c1 = Sv1Hex.parseBytes("mining.notify params[2] coinb1", p.get(2), -1);
        Bytes c2 = Sv1Hex.parseBytes("mining.notify params[3] coinb2", p.get(3), -1);
        if (!p.get(4).isArray()) {
            throw new Sv1ParseException("mining.notify params[4] merkle_branch: expected an array");
        }
        List<Hash256> branch = new ArrayList<>();
        for (JsonNode n : p.get(4)) {
            branch.add(Hash256.fromWireBytes(Sv1Hex.parseBytes("mining.notify merkle_branch entry", n, 32).toArray()));
        }
        int version = Sv1Hex.parseU32("mining.notify params[5] version", p.get(5));
        int nbits = Sv1Hex.parseU32("mining.notify params[6] nbits", p.get(6));
        int ntime = Sv1Hex.parseU32("mining.notify params[7] ntime", p.get(7));
        if (!p.get(8).isBoolean()) {
            throw new Sv1ParseException("mining.notify params[8] clean_jobs: expected a boolean");
        }
        return new MiningNotify(id.asText(), prev, c1, c2, branch, version, nbits, ntime, p.get(8).asBoolean());
    }
}
