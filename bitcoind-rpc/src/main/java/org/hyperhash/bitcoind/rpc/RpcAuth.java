package org.hyperhash.bitcoind.rpc;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/** How to authenticate to Bitcoin Core's RPC. {@code toString()} never shows a secret. */
public sealed interface RpcAuth {

    /** The value of the {@code Authorization} header (read fresh for cookies: Core rewrites it on restart). */
    String authorizationHeader() throws IOException;

    /** Description safe for logs. */
    String describe();

    /**
     * Core's {@code .cookie} file ({@code __cookie__:<random>}), read on every (re)authentication.
     *
     * @param file path of the cookie file, e.g. ~/.bitcoin/regtest/.cookie
     */
    record Cookie(Path file) implements RpcAuth {
        public Cookie {
            java.util.Objects.requireNonNull(file, "cookie file");
        }

        @Override
        public String authorizationHeader() throws IOException {
            String content = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (content.indexOf(':') <= 0) {
                throw new IOException("cookie file " + file + " is not in user:password form");
            }
            return basic(content);
        }

        @Override
        public String describe() {
            return "cookie file " + file;
        }
    }

    /**
     * {@code rpcuser}/{@code rpcpassword} (or an {@code rpcauth} user).
     *
     * @param user RPC user
     * @param password RPC password (never logged)
     */
    record UserPassword(String user, String password) implements RpcAuth {
        public UserPassword {
            java.util.Objects.requireNonNull(user, "rpc user");
            java.util.Objects.requireNonNull(password, "rpc password");
        }

        @Override
        public String authorizationHeader() {
            return basic(user + ":" + password);
        }

        @Override
        public String describe() {
            return "user " + user;
        }

        @Override
        public String toString() {
            return "UserPassword[user=" + user + ", password=<redacted>]";
        }
    }

    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }
}
