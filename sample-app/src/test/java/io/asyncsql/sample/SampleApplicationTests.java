package io.asyncsql.sample;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestInstance.Lifecycle;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The users API and the actuator endpoints of the running sample application, on each
 * {@link SampleDatabase}. Each test works on users it creates, so that the five seeded
 * ones stay as they are.
 * <p>
 * Each database is a profile of the sample, so each run starts its own application on a
 * random port rather than through {@code @SpringBootTest}, whose one context per class
 * cannot change profiles between the runs of a parameterised class.
 */
@ParameterizedClass(name = "on {0}")
@EnumSource(SampleDatabase.class)
@TestInstance(Lifecycle.PER_CLASS)
class SampleApplicationTests {

	private static final String TOO_LONG_NAME = "x".repeat(User.MAX_NAME_LENGTH + 1);

	@Parameter
	SampleDatabase database;

	private ConfigurableApplicationContext application;

	private WebTestClient client;

	@BeforeParameterizedClassInvocation
	void startApplication() {
		this.database.assumeReachable();
		this.application = new SpringApplicationBuilder(SampleApplication.class).profiles(this.database.profiles())
			.properties("server.port=0")
			.run();
		int port = this.application.getEnvironment().getRequiredProperty("local.server.port", Integer.class);
		this.client = WebTestClient.bindToServer()
			.baseUrl("http://localhost:" + port)
			.responseTimeout(Duration.ofSeconds(30))
			.build();
	}

	@AfterParameterizedClassInvocation
	void stopApplication() {
		if (this.application != null) {
			this.application.close();
		}
	}

	@Test
	void listUsersReturnsTheSeededUsersFirstInIdOrder() {
		List<User> users = this.client.get()
			.uri("/users")
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentType(MediaType.APPLICATION_JSON)
			.expectBodyList(User.class)
			.returnResult()
			.getResponseBody();
		assertThat(users).extracting(User::name).startsWith(GettingStarted.NAMES.toArray(String[]::new));
		assertThat(users).extracting(User::id).isSorted();
	}

	@Test
	void listUsersAsNdjsonSendsOneUserPerLine() {
		String body = this.client.get()
			.uri("/users")
			.accept(MediaType.APPLICATION_NDJSON)
			.exchange()
			.expectStatus()
			.isOk()
			.expectHeader()
			.contentTypeCompatibleWith(MediaType.APPLICATION_NDJSON)
			.expectBody(String.class)
			.returnResult()
			.getResponseBody();
		assertThat(body).isNotNull();
		assertThat(body.lines().limit(2)).containsExactly("{\"id\":1,\"name\":\"Jeremy Goodwin\"}",
				"{\"id\":2,\"name\":\"Natalie Hurley\"}");
	}

	@Test
	void getUserReturnsIt() {
		User created = create("Isaac Jaffe");
		this.client.get()
			.uri("/users/{id}", created.id())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody(User.class)
			.isEqualTo(created);
	}

	@Test
	void getUnknownUserIs404WithProblemDetail() {
		this.client.get()
			.uri("/users/{id}", Long.MAX_VALUE)
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo(404)
			.jsonPath("$.detail")
			.isEqualTo("No user with id " + Long.MAX_VALUE);
	}

	@Test
	void createUserReturns201WithLocationOfTheNewUser() {
		this.client.post()
			.uri("/users")
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"name\":\"Jeremy's Dad\"}")
			.exchange()
			.expectStatus()
			.isCreated()
			.expectHeader()
			.value("Location", (location) -> assertThat(location).matches("/users/\\d+"))
			.expectBody()
			.jsonPath("$.name")
			.isEqualTo("Jeremy's Dad")
			.jsonPath("$.id")
			.value((Number id) -> assertThat(id.longValue()).isGreaterThan(GettingStarted.NAMES.size()));
	}

	@Test
	void createUserWithNameOfMaximumLengthSucceeds() {
		String name = "y".repeat(User.MAX_NAME_LENGTH);
		assertThat(create(name).name()).isEqualTo(name);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{}", "{\"name\":null}", "{\"name\":\"\"}", "{\"name\":\"   \"}" })
	void createUserWithoutNameIs400SayingNameIsRequired(String body) {
		post("/users", body).expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON)
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("name is required")
			.jsonPath("$.errors[0]")
			.isEqualTo("name is required");
	}

	@Test
	void createUserWithTooLongNameIs400SayingTheLimit() {
		post("/users", "{\"name\":\"" + TOO_LONG_NAME + "\"}").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("name must be at most 50 characters");
	}

	@Test
	void createUserWithoutBodyIs400SayingSo() {
		this.client.post()
			.uri("/users")
			.contentType(MediaType.APPLICATION_JSON)
			.exchange()
			.expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("No request body");
	}

	@Test
	void createUserWithMalformedJsonIs400() {
		post("/users", "{\"name\":").expectStatus()
			.isBadRequest()
			.expectHeader()
			.contentType(MediaType.APPLICATION_PROBLEM_JSON);
	}

	@Test
	void createUserWithTakenNameIs409() {
		post("/users", "{\"name\":\"Casey McCall\"}").expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("A user named 'Casey McCall' already exists");
	}

	@Test
	void deleteUserRemovesIt() {
		User created = create("Sally Sasser");
		this.client.delete().uri("/users/{id}", created.id()).exchange().expectStatus().isNoContent();
		this.client.get().uri("/users/{id}", created.id()).exchange().expectStatus().isNotFound();
	}

	@Test
	void deleteUnknownUserIs404() {
		this.client.delete()
			.uri("/users/{id}", Long.MAX_VALUE)
			.exchange()
			.expectStatus()
			.isNotFound()
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("No user with id " + Long.MAX_VALUE);
	}

	@Test
	void renameUserChangesTheNameAndWritesAnAuditRow() {
		User created = create("Elliott Fowler");
		put("/users/" + created.id() + "/name", "{\"name\":\"Elliot Fowler\"}").expectStatus()
			.isOk()
			.expectBody(User.class)
			.isEqualTo(new User(created.id(), "Elliot Fowler"));
		this.client.get()
			.uri("/users/{id}", created.id())
			.exchange()
			.expectBody(User.class)
			.isEqualTo(new User(created.id(), "Elliot Fowler"));
		this.client.get()
			.uri("/users/{id}/renames", created.id())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.length()")
			.isEqualTo(1)
			.jsonPath("$[0].oldName")
			.isEqualTo("Elliott Fowler")
			.jsonPath("$[0].newName")
			.isEqualTo("Elliot Fowler")
			.jsonPath("$[0].changedAt")
			.isNotEmpty();
	}

	@Test
	void renameToTakenNameIs409AndRollsBackTheAuditRowWrittenBeforeIt() {
		User created = create("Kim Kuzak");
		put("/users/" + created.id() + "/name", "{\"name\":\"Dana Whitaker\"}").expectStatus()
			.isEqualTo(409)
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("A user named 'Dana Whitaker' already exists");
		this.client.get().uri("/users/{id}", created.id()).exchange().expectBody(User.class).isEqualTo(created);
		this.client.get()
			.uri("/users/{id}/renames", created.id())
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.json("[]");
	}

	@Test
	void renameUnknownUserIs404() {
		put("/users/" + Long.MAX_VALUE + "/name", "{\"name\":\"Nobody\"}").expectStatus().isNotFound();
	}

	@Test
	void renameWithTooLongNameIs400AndChangesNothing() {
		User created = create("Abby Kendall");
		put("/users/" + created.id() + "/name", "{\"name\":\"" + TOO_LONG_NAME + "\"}").expectStatus()
			.isBadRequest()
			.expectBody()
			.jsonPath("$.detail")
			.isEqualTo("name must be at most 50 characters");
		this.client.get().uri("/users/{id}", created.id()).exchange().expectBody(User.class).isEqualTo(created);
	}

	@Test
	void healthIsUpWithTheAsyncSqlComponent() {
		this.client.get()
			.uri("/actuator/health")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.status")
			.isEqualTo("UP")
			.jsonPath("$.components.asyncSql.status")
			.isEqualTo("UP")
			.jsonPath("$.components.asyncSql.details.threadMode")
			.isEqualTo("PLATFORM");
	}

	@Test
	void metricsCountTheEngineWork() {
		this.client.get().uri("/users").exchange().expectStatus().isOk();
		this.client.get()
			.uri("/actuator/metrics/asyncsql.tasks.execution?tag=name:main")
			.exchange()
			.expectStatus()
			.isOk()
			.expectBody()
			.jsonPath("$.measurements[?(@.statistic == 'COUNT')].value")
			.value((List<Double> counts) -> assertThat(counts).singleElement()
				.satisfies((count) -> assertThat(count).isGreaterThanOrEqualTo(1.0)));
	}

	private User create(String name) {
		User user = post("/users", "{\"name\":\"" + name + "\"}").expectStatus()
			.isCreated()
			.expectBody(User.class)
			.returnResult()
			.getResponseBody();
		assertThat(user).isNotNull();
		return user;
	}

	private WebTestClient.ResponseSpec post(String uri, String json) {
		return this.client.post().uri(uri).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
	}

	private WebTestClient.ResponseSpec put(String uri, String json) {
		return this.client.put().uri(uri).contentType(MediaType.APPLICATION_JSON).bodyValue(json).exchange();
	}

}
