package io.asyncsql.autoconfigure;

import java.time.Duration;

import io.asyncsql.AsyncConnectionUtils;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncSqlTransactionManager;
import io.asyncsql.reactor.ReactiveJdbcTemplate;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceTransactionManagerAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.JdbcTemplateAutoConfiguration;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.transaction.autoconfigure.TransactionAutoConfiguration;
import org.springframework.boot.transaction.autoconfigure.TransactionManagerCustomizationAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.ReactiveTransactionManager;
import org.springframework.transaction.TransactionManager;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.transaction.support.TransactionSynchronizationManager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;

/**
 * Tests for {@link AsyncSqlTransactionAutoConfiguration}, in contexts that also hold
 * Spring Boot's JDBC transaction manager.
 */
class AsyncSqlTransactionAutoConfigurationTests {

	private static final Duration WAIT = Duration.ofSeconds(10);

	private final ApplicationContextRunner contextRunner = new ApplicationContextRunner()
		.withPropertyValues("spring.datasource.generate-unique-name=true")
		.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, JdbcTemplateAutoConfiguration.class,
				TransactionManagerCustomizationAutoConfiguration.class,
				DataSourceTransactionManagerAutoConfiguration.class, TransactionAutoConfiguration.class,
				AsyncSqlAutoConfiguration.class, AsyncSqlTransactionAutoConfiguration.class));

	@Test
	void autoConfigurationAddsManagerAndOperatorBesideBootsJdbcManager() {
		this.contextRunner.run((context) -> {
			assertThat(context).hasSingleBean(AsyncSqlTransactionManager.class)
				.hasSingleBean(DataSourceTransactionManager.class)
				.hasSingleBean(TransactionalOperator.class);
			assertThat(context.getBean(TransactionManager.class)).isInstanceOf(DataSourceTransactionManager.class);
			assertThat(context.getBean(PlatformTransactionManager.class))
				.isInstanceOf(DataSourceTransactionManager.class);
			assertThat(context.getBean(ReactiveTransactionManager.class))
				.isSameAs(context.getBean(AsyncSqlTransactionManager.class));
			assertThat(context.getBean(AsyncSqlTransactionManager.class).getEngine())
				.isSameAs(context.getBean(AsyncEngine.class));
		});
	}

	@Test
	void blockingAndReactiveTransactionalMethodsEachGetTheirOwnManager() {
		this.contextRunner.withUserConfiguration(AccountsConfiguration.class).run((context) -> {
			Accounts accounts = context.getBean(Accounts.class);
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			jdbc.execute("create table accounts (id int primary key)");
			assertThat(accounts.insertBlocking(1)).isTrue();
			assertThat(accounts.insertReactive(2).block(WAIT)).isTrue();
			assertThatIllegalStateException().isThrownBy(() -> accounts.insertBlockingThenFail(3));
			assertThatIllegalStateException().isThrownBy(() -> accounts.insertReactiveThenFail(4).block(WAIT));
			assertThat(jdbc.queryForList("select id from accounts order by id", Integer.class)).containsExactly(1, 2);
		});
	}

	@Test
	void reactiveTransactionalMethodsUseAsyncSqlAloneWithoutBootsJdbcManager() {
		new ApplicationContextRunner().withPropertyValues("spring.datasource.generate-unique-name=true")
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					JdbcTemplateAutoConfiguration.class, TransactionAutoConfiguration.class,
					AsyncSqlAutoConfiguration.class, AsyncSqlTransactionAutoConfiguration.class))
			.withUserConfiguration(AccountsConfiguration.class)
			.run((context) -> {
				assertThat(context).doesNotHaveBean(DataSourceTransactionManager.class);
				context.getBean(JdbcTemplate.class).execute("create table accounts (id int primary key)");
				Accounts accounts = context.getBean(Accounts.class);
				assertThat(accounts.insertReactive(1).block(WAIT)).isTrue();
				assertThatIllegalStateException().isThrownBy(() -> accounts.insertReactiveThenFail(2).block(WAIT));
				assertThat(context.getBean(JdbcTemplate.class)
					.queryForObject("select count(*) from accounts", Integer.class)).isEqualTo(1);
			});
	}

	@Test
	void routingCanBeTurnedOff() {
		this.contextRunner.withPropertyValues("async-sql.transaction.route-reactive-methods=false")
			.run((context) -> assertThat(context).hasSingleBean(AsyncSqlTransactionManager.class)
				.doesNotHaveBean(ReactiveTransactionRouting.class));
	}

	@Test
	void autoConfigurationWhenUserDefinesManagerBacksOff() {
		this.contextRunner.withUserConfiguration(UserManagerConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(AsyncSqlTransactionManager.class);
			assertThat(context.getBean(AsyncSqlTransactionManager.class))
				.isSameAs(context.getBean("userTransactionManager"));
			// Boot's JDBC manager backs off for any user-defined transaction manager.
			assertThat(context).doesNotHaveBean(DataSourceTransactionManager.class);
		});
	}

	@Test
	void autoConfigurationWhenUserDefinesOperatorBacksOff() {
		this.contextRunner.withUserConfiguration(UserOperatorConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(TransactionalOperator.class);
			assertThat(context.getBean(TransactionalOperator.class)).isSameAs(context.getBean("userOperator"));
		});
	}

	@Test
	void autoConfigurationWithoutReactorBacksOff() {
		this.contextRunner.withClassLoader(new FilteredClassLoader(Mono.class))
			.run((context) -> assertThat(context).doesNotHaveBean(AsyncSqlTransactionManager.class)
				.hasSingleBean(DataSourceTransactionManager.class));
	}

	@Test
	void autoConfigurationWhenDisabledBacksOff() {
		this.contextRunner.withPropertyValues("async-sql.enabled=false")
			.run((context) -> assertThat(context).doesNotHaveBean(AsyncSqlTransactionManager.class)
				.hasSingleBean(DataSourceTransactionManager.class));
	}

	@Configuration(proxyBeanMethods = false)
	static class AccountsConfiguration {

		@Bean
		Accounts accounts(JdbcTemplate jdbcTemplate, ReactiveJdbcTemplate reactiveJdbcTemplate, AsyncEngine engine) {
			return new Accounts(jdbcTemplate, reactiveJdbcTemplate, engine);
		}

	}

	/**
	 * Blocking and reactive {@code @Transactional} methods, none naming a manager; each
	 * says which kind of transaction it ran in.
	 */
	static class Accounts {

		private final JdbcTemplate jdbcTemplate;

		private final ReactiveJdbcTemplate reactiveJdbcTemplate;

		private final AsyncEngine engine;

		Accounts(JdbcTemplate jdbcTemplate, ReactiveJdbcTemplate reactiveJdbcTemplate, AsyncEngine engine) {
			this.jdbcTemplate = jdbcTemplate;
			this.reactiveJdbcTemplate = reactiveJdbcTemplate;
			this.engine = engine;
		}

		@Transactional
		public boolean insertBlocking(int id) {
			this.jdbcTemplate.update("insert into accounts values (?)", id);
			return TransactionSynchronizationManager.isActualTransactionActive()
					&& TransactionSynchronizationManager.hasResource(this.jdbcTemplate.getDataSource());
		}

		@Transactional
		public boolean insertBlockingThenFail(int id) {
			insertBlocking(id);
			throw new IllegalStateException("blocking fails");
		}

		@Transactional
		public Mono<Boolean> insertReactive(int id) {
			return this.reactiveJdbcTemplate.update("insert into accounts values (?)", id)
				.then(AsyncConnectionUtils.transactionalConnection(this.engine).hasElement());
		}

		@Transactional
		public Mono<Boolean> insertReactiveThenFail(int id) {
			return insertReactive(id).then(Mono.error(new IllegalStateException("reactive fails")));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserManagerConfiguration {

		@Bean
		AsyncSqlTransactionManager userTransactionManager(AsyncEngine engine) {
			return new AsyncSqlTransactionManager(engine);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserOperatorConfiguration {

		@Bean
		TransactionalOperator userOperator(AsyncSqlTransactionManager manager) {
			return TransactionalOperator.create(manager);
		}

	}

}
