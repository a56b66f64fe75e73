package io.asyncsql;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs the annotated test class once on each {@link TestDatabase}, which it takes as its
 * one constructor argument (or, with {@code Lifecycle.PER_CLASS}, in a {@code @Parameter}
 * field); a server that does not answer skips its run (see
 * {@link TestDatabase#assumeAvailable()}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@ParameterizedClass(name = "on {0}")
@EnumSource(TestDatabase.class)
@interface EachDatabase {

}
