package org.hyperhash.sv1;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import org.hyperhash.base.Bytes;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * {@code mining.submit} params: {@code [worker, job_id, extranonce2, ntime, nonce, (version_bits)]}.
 *
 * @param worker worker name as sent (not trusted for crediting: the authorized name is)
 * @param jobId SV1 job id
 * @param extranonce2 miner-rolled bytes
 * @param ntime header time
 * @param nonce header nonce
 * @param versionBits BIP310 rolled bits, if sent
 */
public record MiningSubmit(String worker, String jobId, Bytes extranonce2, int ntime, int nonce, OptionalInt versionBits) {
    public static final String METHOD = "mining.submit";

    public MiningSubmit {
        Objects.requireNonNull(worker, "worker");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(extranonce2, "extranonce2");
        Objects.requireNonNull(versionBits, "versionBits");
    }

    /**
     * Parses submit params.
     *
     * @param extranonce2Size the size announced to this miner; a different length is an error
     */
    public static MiningSubmit parse(ArrayNode p, int extranonce2Size) throws Sv1ParseException {
        if (p.size() < 5) {
            throw new Sv1ParseException("mining.submit: expected at least 5 params, got " + p.size());
        }
        String worker = Sv1Hex.text("mining.submit params[0] worker", p.get(0));
        JsonNode id = p.get(1);
        if (id == null || !(id.isTextual() || id.isIntegralNumber())) {
            throw new Sv1ParseException("mining.submit params[1] job_id: expected a string");
        }
        Bytes en2 = Sv1Hex.parseBytes("mining.submit params[2] extranonce2", p.get(2), extranonce2Size);
        int ntime = Sv1Hex.parseU32("mining.submit params[3] ntime", p.get(3));
        int nonce = Sv1Hex.parseU32("mining.submit params[4] nonce", p.get(4));
        OptionalInt vb = OptionalInt.empty();
        if (p.size() > 5 && !p.get(5).isNull()) {
            vb = OptionalInt.of(Sv1Hex.parseU32("mining.submit params[5] version_bits", p.get(5)));
        }
        return new MiningSubmit(worker, id.asText(), en2, ntime, nonce, vb);
    }

    public ArrayNode toParams() {
        ArrayNode p = JsonNodeFactory.instance.arrayNode();
        p.add(worker);
        p.add(jobId);
        p.add(extranonce2.toHex());
        p.add(Sv1Hex.u32(ntime));
        p.add(Sv1Hex.u32(nonce));
        versionBits.ifPresent(v -> p.add(Sv1Hex.u32(v)));
        return p;
    }
}
