package org.sparkcnn.spark.io;

import java.util.regex.Pattern;

/**
 * Hides the user-info of URIs ({@code s3a://KEY:SECRET@bucket/x} becomes {@code s3a://***@bucket/x}) before a
 * location reaches metrics.json, a checkpoint's configuration, a log or an error line. The user-info is what RFC 3986
 * puts between {@code scheme://} and the first {@code @} of the authority, which ends at the first {@code /},
 * {@code ?} or {@code #}.
 */
public final class Redaction {
    private static final Pattern USER_INFO = Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\\s]*@");

    private Redaction() { }

    /** {@code location} with the user-info of its URI, if it has one, replaced by {@code ***}. */
    public static String uri(String location) {
        return location == null ? null : USER_INFO.matcher(location).replaceFirst("$1***@");
    }

    /** {@code text} with the user-info of every URI in it replaced by {@code ***}. */
    public static String text(String text) {
        return text == null ? null : USER_INFO.matcher(text).replaceAll("$1***@");
    }
}
