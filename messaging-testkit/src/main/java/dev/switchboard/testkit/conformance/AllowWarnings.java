package dev.switchboard.testkit.conformance;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Lets a test pass although the toolkit logged warnings: for cases where a handler fails on purpose
 * and the toolkit rightly says so. On a class it covers every test of the class and its subclasses.
 * Errors still fail the test; see {@link LogCheck}.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface AllowWarnings {
  /** Why warnings are expected, for the reader. */
  String value();
}
