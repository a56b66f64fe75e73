package io.asyncsql.autoconfigure.app;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import com.jayway.jsonpath.JsonPath;
import io.asyncsql.AsyncJdbcTemplate;
import org.junit.jupiter.api.Test;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A whole application with the starter, actuator and H2: the {@code asyncSql} health
 * indicator and the {@code asyncsql.tasks.*} meters over HTTP.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT,
		properties = { "spring.datasource.url=jdbc:h2:mem:actuator-app;DB_CLOSE_DELAY=-1",
				"spring.datasource.username=app-user", "spring.datasource.password=app-secret",
				"management.endpoints.web.exposure.include=health,metrics",
				"management.endpoint.health.show-details=always" })
class AsyncSqlActuatorApplicationTests {

	private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

	@LocalServerPort
	private int port;

	@Autowired
	private AsyncJdbcTemplate template;

	@Test
	void healthEndpointShowsAsyncSqlUpWithFiguresButNoSecrets() throws Exception {
		String body = get("/actuator/health");
		assertThat(JsonPath.<String>read(body, "$.components.asyncSql.status")).isEqualTo("UP");
		assertThat(JsonPath.<String>read(body, "$.components.asyncSql.details.name")).isEqualTo("main");
		assertThat(JsonPath.<Integer>read(body, "$.components.asyncSql.details.maxConcurrency")).isEqualTo(10);
		assertThat(JsonPath.<Integer>read(body, "$.components.asyncSql.details.pool.max")).isEqualTo(10);
		String asyncSql = JsonPath.parse(body).read("$.components.asyncSql").toString();
		assertThat(asyncSql).doesNotContain("jdbc:").doesNotContain("app-user").doesNotContain("app-secret");
	}

	@Test
	void metricsEndpointShowsEngineMetersTaggedWithItsName() throws Exception {
		assertThat(this.template.queryForObject("select 1", Integer.class)).succeedsWithin(Duration.ofSeconds(10));
		String execution = get("/actuator/metrics/asyncsql.tasks.execution?tag=name:main");
		List<Double> counts = JsonPath.read(execution, "$.measurements[?(@.statistic == 'COUNT')].value");
		assertThat(counts).singleElement().satisfies((count) -> assertThat(count).isGreaterThanOrEqualTo(1.0));
		String names = get("/actuator/metrics");
		assertThat(JsonPath.<List<String>>read(names, "$.names")).contains("asyncsql.tasks.active",
				"asyncsql.tasks.queued", "asyncsql.tasks.rejected", "asyncsql.tasks.wait", "asyncsql.tasks.execution");
	}

	private String get(String path) throws IOException, InterruptedException {
		HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + this.port + path))
			.timeout(Duration.ofSeconds(10))
			.build();
		HttpResponse<String> response = this.http.send(request, HttpResponse.BodyHandlers.ofString());
		assertThat(response.statusCode()).as("GET %s: %s", path, response.body()).isEqualTo(200);
		return response.body();
	}

	@SpringBootConfiguration
	@EnableAutoConfiguration
	static class ActuatorApplication {

	}

}
