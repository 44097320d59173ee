package org.hyperhash.tp.node;

import org.hyperhash.bitcoind.rpc.RpcException;

import org.hyperhash.base.Bytes;
import org.hyperhash.base.Hash256;

/**
 * The subset of Bitcoin Core's JSON-RPC the template provider uses. Implemented over HTTP by
 * {@link HttpBitcoindRpc} and in-process by {@code org.hyperhash.tp.devnet.DevnetChain}, so the
 * template pipeline and the TDP server do not know which backend they talk to. Every method may
 * block (network I/O): call from a virtual thread, never from an event loop.
 */
public interface BitcoindRpc {

    /** {@code getblocktemplate [{"rules":["segwit"]}]}. */
    BlockTemplate getBlockTemplate() throws RpcException;

    /**
     * Long-poll form: {@code getblocktemplate [{"rules":["segwit"],"longpollid":id}]}; returns when
     * the node considers the template changed (new block, or new transactions after a while).
     */
    BlockTemplate getBlockTemplateLongPoll(String longPollId) throws RpcException;

    /**
     * {@code submitblock [hex]}. Core answers {@code null} when the block was accepted, else a
     * reject string ({@code high-hash}, {@code bad-txnmrklroot}, {@code duplicate},
     * {@code inconclusive}, ...), which is returned as {@link SubmitResult.Rejected}.
     *
     * @throws RpcException for RPC-level errors, e.g. code -22 "Block decode failed"
     */
    SubmitResult submitBlock(Bytes block) throws RpcException;

    /** {@code getblockchaininfo []}. */
    ChainInfo getBlockchainInfo() throws RpcException;

    /** {@code getbestblockhash []}. */
    Hash256 getBestBlockHash() throws RpcException;

    /** {@code getblock [hash, 0]}: the raw serialized block. */
    Bytes getBlockRaw(Hash256 hash) throws RpcException;

    /** {@code getblock [hash, 1]}: the decoded summary. */
    BlockSummary getBlock(Hash256 hash) throws RpcException;

    /**
     * Startup check: the node answers, is on {@code expectedChain} and is not in initial block
     * download. Throws the typed error otherwise ({@link RpcException.Kind#WRONG_CHAIN},
     * {@link RpcException.Kind#IN_INITIAL_BLOCK_DOWNLOAD}, ...).
     */
    default ChainInfo checkReady(String expectedChain) throws RpcException {
        ChainInfo info = getBlockchainInfo();
        if (expectedChain != null && !expectedChain.equals(info.chain())) {
            throw new RpcException(RpcException.Kind.WRONG_CHAIN, "getblockchaininfo", 0,
                    "node is on chain '" + info.chain() + "' but the config expects '" + expectedChain + "'");
        }
        if (info.initialBlockDownload()) {
            throw new RpcException(RpcException.Kind.IN_INITIAL_BLOCK_DOWNLOAD, "getblockchaininfo", -10,
                    "node is in initial block download (" + info.blocks() + "/" + info.headers() + " blocks)");
        }
        return info;
    }
}
