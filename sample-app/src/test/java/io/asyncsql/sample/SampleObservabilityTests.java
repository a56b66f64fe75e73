package io.asyncsql.sample;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;

import javax.sql.DataSource;

import brave.handler.MutableSpan;
import brave.handler.SpanHandler;
import brave.propagation.TraceContext;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.Tracer;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Bean;
import org.springframework.core.task.TaskDecorator;
import org.springframework.core.task.support.ContextPropagatingTaskDecorator;
import org.springframework.jdbc.datasource.DelegatingDataSource;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The sample's traces and metrics: a request's span is the parent of the async-sql
 * operation it causes, the JDBC work runs inside that operation's execution span, and the
 * operations' metrics are in the Prometheus scrape. A context-propagating task decorator
 * restores the request's span on the engine thread, as applications that want MDC there
 * do: the execution span is still the operation's child.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient(timeout = "30s")
class SampleObservabilityTests {

	private static final Duration WAIT = Duration.ofSeconds(30);

	@Autowired
	private WebTestClient client;

	@Autowired
	private Spans spans;

	@Test
	void requestSpanIsParentOfTheOperationSpanAndJdbcRunsInsideIt() {
		this.client.get().uri("/users/1").exchange().expectStatus().isOk();
		MutableSpan request = this.spans.await("http get /users/{id}", null);
		MutableSpan operation = this.spans.await("asyncsql statement", request.id());
		assertThat(operation.traceId()).isEqualTo(request.traceId());
		assertThat(operation.tags()).containsEntry("asyncsql.kind", "statement")
			.containsEntry("asyncsql.outcome", "success")
			.containsEntry("asyncsql.sql", "select id, name from users where id = :id");
		MutableSpan wait = this.spans.await("asyncsql wait", operation.id());
		MutableSpan execution = this.spans.await("asyncsql execution", operation.id());
		assertThat(wait.finishTimestamp()).isLessThanOrEqualTo(execution.startTimestamp());
		assertThat(this.spans.connectionsTakenIn).contains(execution.id());
	}

	@Test
	void prometheusScrapeHasTheOperationMetrics() {
		this.client.get().uri("/users/1").exchange().expectStatus().isOk();
		await().atMost(WAIT).untilAsserted(() -> {
			String scrape = this.client.get()
				.uri("/actuator/prometheus")
				.exchange()
				.expectStatus()
				.isOk()
				.expectBody(String.class)
				.returnResult()
				.getResponseBody();
			assertThat(scrape).isNotNull();
			assertThat(scrape.lines()).anyMatch((line) -> line.startsWith("asyncsql_operation_seconds_count{")
					&& line.contains("asyncsql_engine=\"main\"") && line.contains("asyncsql_kind=\"statement\"")
					&& line.contains("asyncsql_outcome=\"success\""));
			assertThat(scrape.lines()).anyMatch((line) -> line.startsWith("asyncsql_operation_wait_seconds_count{"));
			assertThat(scrape.lines())
				.anyMatch((line) -> line.startsWith("asyncsql_operation_execution_seconds_count{"));
			assertThat(scrape.lines()).anyMatch((line) -> line.startsWith("asyncsql_tasks_execution_seconds_count{"));
		});
	}

	/**
	 * Keeps finished spans, and the span current on each thread that takes a connection
	 * from the pool.
	 */
	@TestConfiguration(proxyBeanMethods = false)
	static class Spans extends SpanHandler {

		private final Queue<MutableSpan> finished = new ConcurrentLinkedQueue<>();

		final Queue<String> connectionsTakenIn = new ConcurrentLinkedQueue<>();

		@Override
		public boolean end(TraceContext context, MutableSpan span, Cause cause) {
			this.finished.add(span);
			return true;
		}

		MutableSpan await(String name, String parentId) {
			return org.awaitility.Awaitility.await()
				.atMost(WAIT)
				.alias("a finished span '" + name + "' with parent " + parentId)
				.until(() -> find(name, parentId), (found) -> found != null);
		}

		private MutableSpan find(String name, String parentId) {
			List<MutableSpan> candidates = this.finished.stream()
				.filter((span) -> name.equals(span.name()))
				.filter((span) -> parentId == null || parentId.equals(span.parentId()))
				.toList();
			return candidates.isEmpty() ? null : candidates.get(candidates.size() - 1);
		}

		@Bean
		TaskDecorator contextPropagatingTaskDecorator() {
			return new ContextPropagatingTaskDecorator();
		}

		@Bean
		static BeanPostProcessor recordSpanOfConnections(ObjectProvider<Tracer> tracer, ObjectProvider<Spans> spans) {
			return new BeanPostProcessor() {

				@Override
				public Object postProcessAfterInitialization(Object bean, String beanName) {
					if (!(bean instanceof DataSource dataSource)) {
						return bean;
					}
					return new DelegatingDataSource(dataSource) {

						@Override
						public Connection getConnection() throws SQLException {
							Span current = tracer.getObject().currentSpan();
							if (current != null) {
								spans.getObject().connectionsTakenIn.add(current.context().spanId());
							}
							return super.getConnection();
						}

					};
				}

			};
		}

	}

}
