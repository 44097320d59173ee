package org.hyperhash.base;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a class on the share/frame hot path: no locks, no BigInteger, no logging above DEBUG, no
 * per-share allocation beyond the decoded record. A change to such a class comes with a JMH
 * before/after in bench/.
 */
@Documented
@Retention(RetentionPolicy.SOURCE)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface HotPath {
}
