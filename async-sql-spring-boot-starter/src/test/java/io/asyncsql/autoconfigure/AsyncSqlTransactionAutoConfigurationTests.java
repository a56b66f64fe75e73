package io.asyncsql.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.asyncsql.AsyncConnectionUtils;
import io.asyncsql.AsyncEngine;
import io.asyncsql.AsyncJdbcTemplate;
import io.asyncsql.AsyncSqlTransactionManager;
import io.asyncsql.reactor.ReactiveJdbcClient;
import io.asyncsql.reactor.ReactiveJdbcTemplate;
import io.asyncsql.transaction.AsyncTransactionAdvisor;
import io.asyncsql.transaction.AsyncTransactional;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.beans.factory.ObjectProvider;
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

	@Test
	void reactiveJdbcClientJoinsTheTransactionOfAReactiveTransactionalMethod() {
		this.contextRunner.withUserConfiguration(AccountsConfiguration.class).run((context) -> {
			assertThat(context).hasSingleBean(ReactiveJdbcClient.class);
			JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
			jdbc.execute("create table accounts (id int primary key)");
			Accounts accounts = context.getBean(Accounts.class);
			assertThatIllegalStateException().isThrownBy(() -> accounts.insertWithClientThenFail(1, 2).block(WAIT))
				.withMessage("fails after 2 rows");
			assertThat(jdbc.queryForObject("select count(*) from accounts", Integer.class)).isZero();
		});
	}

	@Test
	void asyncTransactionalMethodsRollBackWhenTheirFutureFailsAfterTheyReturn() {
		// Without Boot's transaction auto-configuration: the starter registers the
		// auto-proxy creator its advisor needs.
		new ApplicationContextRunner().withPropertyValues("spring.datasource.generate-unique-name=true")
			.withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class,
					JdbcTemplateAutoConfiguration.class, AsyncSqlAutoConfiguration.class))
			.withUserConfiguration(LedgerConfiguration.class)
			.run((context) -> {
				assertThat(context).hasSingleBean(AsyncTransactionAdvisor.class);
				JdbcTemplate jdbc = context.getBean(JdbcTemplate.class);
				jdbc.execute("create table ledger (id int primary key)");
				Ledger ledger = context.getBean(Ledger.class);
				assertThat(ledger.insert(1)).succeedsWithin(WAIT);
				assertThat(ledger.insertThenFailLater(2)).failsWithin(WAIT)
					.withThrowableThat()
					.havingRootCause()
					.withMessage("fails later");
				assertThat(jdbc.queryForList("select id from ledger", Integer.class)).containsExactly(1);
			});
	}

	@Test
	void autoConfigurationWhenUserDefinesAsyncTransactionAdvisorBacksOff() {
		this.contextRunner.withUserConfiguration(UserAdvisorConfiguration.class)
			.run((context) -> assertThat(context).hasSingleBean(AsyncTransactionAdvisor.class).hasBean("userAdvisor"));
	}

	@Configuration(proxyBeanMethods = false)
	static class LedgerConfiguration {

		@Bean
		Ledger ledger(AsyncJdbcTemplate template) {
			return new Ledger(template);
		}

	}

	/**
	 * {@code @AsyncTransactional} methods whose futures end after they return.
	 */
	static class Ledger {

		private final AsyncJdbcTemplate template;

		Ledger(AsyncJdbcTemplate template) {
			this.template = template;
		}

		@AsyncTransactional
		public CompletableFuture<Integer> insert(int id) {
			return this.template.update("insert into ledger values (?)", id);
		}

		@AsyncTransactional
		public CompletableFuture<Integer> insertThenFailLater(int id) {
			return insert(id).thenCompose((n) -> CompletableFuture.supplyAsync(() -> {
				throw new IllegalStateException("fails later");
			}, CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS)));
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class UserAdvisorConfiguration {

		@Bean
		static AsyncTransactionAdvisor userAdvisor(ObjectProvider<AsyncJdbcTemplate> template) {
			return new AsyncTransactionAdvisor(template::getObject);
		}

	}

	@Configuration(proxyBeanMethods = false)
	static class AccountsConfiguration {

		@Bean
		Accounts accounts(JdbcTemplate jdbcTemplate, ReactiveJdbcTemplate reactiveJdbcTemplate,
				ReactiveJdbcClient reactiveJdbcClient, AsyncEngine engine) {
			return new Accounts(jdbcTemplate, reactiveJdbcTemplate, reactiveJdbcClient, engine);
		}

	}

	/**
	 * Blocking and reactive {@code @Transactional} methods, none naming a manager; each
	 * says which kind of transaction it ran in.
	 */
	static class Accounts {

		private final JdbcTemplate jdbcTemplate;

		private final ReactiveJdbcTemplate reactiveJdbcTemplate;

		private final ReactiveJdbcClient reactiveJdbcClient;

		private final AsyncEngine engine;

		Accounts(JdbcTemplate jdbcTemplate, ReactiveJdbcTemplate reactiveJdbcTemplate,
				ReactiveJdbcClient reactiveJdbcClient, AsyncEngine engine) {
			this.jdbcTemplate = jdbcTemplate;
			this.reactiveJdbcTemplate = reactiveJdbcTemplate;
			this.reactiveJdbcClient = reactiveJdbcClient;
			this.engine = engine;
		}

		@Transactional
		public Mono<Integer> insertWithClientThenFail(int first, int second) {
			return Flux.just(first, second)
				.concatMap((id) -> this.reactiveJdbcClient.sql("insert into accounts values (:id)")
					.param("id", id)
					.update())
				.then(this.reactiveJdbcClient.sql("select count(*) from accounts").query(Integer.class).single())
				.flatMap((rows) -> Mono.error(new IllegalStateException("fails after " + rows + " rows")));
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
