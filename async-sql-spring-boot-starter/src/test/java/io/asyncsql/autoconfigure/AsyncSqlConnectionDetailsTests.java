package io.asyncsql.autoconfigure;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;

import com.zaxxer.hikari.HikariDataSource;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import org.junit.jupiter.api.Test;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcConnectionDetails;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine runs on whatever {@link javax.sql.DataSource} Spring Boot configured, so a
 * {@link JdbcConnectionDetails} bean (what {@code @ServiceConnection} and Docker Compose
 * support contribute) decides where async-sql's work goes, ahead of
 * {@code spring.datasource.url}. Tested with a user-defined bean on H2, which needs no
 * Docker.
 */
class AsyncSqlConnectionDetailsTests {

	private static final String DETAILS_URL = "jdbc:h2:mem:details-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withPropertyValues("spring.datasource.url=jdbc:h2:mem:properties-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1")
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				AsyncSqlAutoConfiguration.class));

	@Test
	void engineRunsOnTheDatabaseThatConnectionDetailsNameAheadOfProperties() {
		this.contextRunner.withUserConfiguration(ConnectionDetailsConfiguration.class).run((context) -> {
			AsyncEngine engine = context.getBean(AsyncEngine.class);
			assertThat(engine.getDataSource()).isInstanceOfSatisfying(HikariDataSource.class,
					(hikari) -> assertThat(hikari.getJdbcUrl()).isEqualTo(DETAILS_URL));
			AsyncJdbcTemplate template = context.getBean(AsyncJdbcTemplate.class);
			assertThat(template.execute("create table detailed (id int primary key)")
				.thenCompose((created) -> template.update("insert into detailed (id) values (?)", 1)))
				.succeedsWithin(Duration.ofSeconds(10))
				.isEqualTo(1);
			// Read back over a connection of our own: the row is in the details'
			// database.
			try (Connection connection = DriverManager.getConnection(DETAILS_URL, "sa", "");
					ResultSet rows = connection.createStatement().executeQuery("select count(*) from detailed")) {
				assertThat(rows.next()).isTrue();
				assertThat(rows.getInt(1)).isOne();
			}
		});
	}

	@Configuration(proxyBeanMethods = false)
	static class ConnectionDetailsConfiguration {

		@Bean
		JdbcConnectionDetails jdbcConnectionDetails() {
			return new JdbcConnectionDetails() {

				@Override
				public String getJdbcUrl() {
					return DETAILS_URL;
				}

				@Override
				public String getUsername() {
					return "sa";
				}

				@Override
				public String getPassword() {
					return "";
				}

			};
		}

	}

}
