package org.hyperhash.cli.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fenced code blocks of a Markdown file, with the HTML comment on the line just before a fence as its
 * annotation (e.g. {@code doc-test: skip: REASON}; null when there is none). The tests that run documentation take commands from here, so a
 * doc edit is what gets tested, never a copy of it.
 */
final class MarkdownBlocks {
    /** An HTML comment alone on its line: {@code <!-- doc-test: ... -->} or another tool's marker. */
    static final Pattern ANNOTATION = Pattern.compile("^<!--\\s*(.*?)\\s*-->\\s*$");

    private MarkdownBlocks() {
    }

    /**
     * @param line 1-based line of the opening fence
     * @param info the fence's info string ("sh", "" ...)
     * @param annotation text of the HTML comment just before the fence, or null
     * @param body the lines between the fences, newline-terminated
     */
    record Block(int line, String info, String annotation, String body) {
        String firstLine() {
            int nl = body.indexOf('\n');
            return (nl < 0 ? body : body.substring(0, nl)).strip();
        }
    }

    static List<Block> parse(String markdown) {
        List<Block> out = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (!l.startsWith("```")) {
                continue;
            }
            String info = l.substring(3).strip();
            String annotation = null;
            if (i > 0) {
                Matcher m = ANNOTATION.matcher(lines[i - 1].strip());
                if (m.matches()) {
                    annotation = m.group(1);
                }
            }
            StringBuilder body = new StringBuilder();
            int j = i + 1;
            while (j < lines.length && !lines[j].startsWith("```")) {
                body.append(lines[j]).append('\n');
                j++;
            }
            if (j == lines.length) {
                throw new IllegalArgumentException("unclosed code fence at line " + (i + 1));
            }
            out.add(new Block(i + 1, info, annotation, body.toString()));
            i = j;
        }
        return out;
    }

    /** From the line holding {@code marker} to the next level-2 heading (or the end). */
    static String section(String markdown, String marker) {
        int start = markdown.indexOf(marker);
        if (start < 0) {
            throw new IllegalArgumentException("no \"" + marker + "\" in the document");
        }
        start = markdown.lastIndexOf('\n', start) + 1;
        int end = markdown.indexOf("\n## ", start);
        return markdown.substring(start, end < 0 ? markdown.length() : end + 1);
    }
}
