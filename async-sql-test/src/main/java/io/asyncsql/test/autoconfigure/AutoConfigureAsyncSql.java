package io.asyncsql.test.autoconfigure;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.springframework.boot.autoconfigure.ImportAutoConfiguration;
import org.springframework.boot.test.autoconfigure.jdbc.AutoConfigureDataSourceInitialization;

/**
 * Annotation for a test class that imports the auto-configuration of the
 * {@link javax.sql.DataSource}, its {@link org.springframework.jdbc.core.JdbcTemplate}
 * and async-sql, without the rest of {@link AsyncSqlTest @AsyncSqlTest} (no embedded
 * database, no rollback). Most tests use {@code @AsyncSqlTest} instead.
 *
 * @since 0.1.0
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ImportAutoConfiguration
@AutoConfigureDataSourceInitialization
public @interface AutoConfigureAsyncSql {

}
