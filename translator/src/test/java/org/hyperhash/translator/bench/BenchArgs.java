package org.hyperhash.translator.bench;

/** {@code --name value} command-line options of the bench mains (an option given twice: the first wins). */
final class BenchArgs {
    private BenchArgs() {
    }

    static int intArg(String[] args, String name, int def) {
        String v = strArg(args, name, null);
        return v == null ? def : Integer.parseInt(v);
    }

    static String strArg(String[] args, String name, String def) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return def;
    }
}
