package dev.mp3conv.chart;

/** Values files for the chart's supported shapes, shared by the tests. */
final class Scenarios {
    static final String EXTERNAL_STORES = """
            mongodb:
              enabled: false
              external:
                uri: "mongodb://mp3conv:s3cret-mongo@mongo.example.net:27017/?authSource=admin"
            rabbitmq:
              enabled: false
              external:
                uri: "amqps://mp3conv:s3cret-amqp@rabbit.example.net:5671/%2F"
            """;

    static final String EXTERNAL_STORES_EXISTING_SECRETS = """
            mongodb:
              enabled: false
              external:
                existingSecret: shared-mongo
                existingSecretKey: connection-string
            rabbitmq:
              enabled: false
              external:
                existingSecret: shared-rabbit
            """;

    static final String INGRESS_TLS = """
            ingress:
              host: mp3.example.org
              tls:
                enabled: true
                secretName: mp3-example-org-tls
            """;

    static final String KEDA = """
            converter:
              keda:
                enabled: true
                minReplicaCount: 0
                maxReplicaCount: 20
            """;

    static final String NETWORK_POLICY = """
            networkPolicy:
              enabled: true
              metricsFrom:
                - namespaceSelector:
                    matchLabels:
                      kubernetes.io/metadata.name: monitoring
            converter:
              keda:
                enabled: true
            """;

    static final String REPLICAS_AND_RESOURCES = """
            auth:
              replicas: 3
            gateway:
              replicas: 4
              resources:
                requests:
                  cpu: 500m
                  memory: 1Gi
                limits:
                  cpu: "2"
                  memory: 2Gi
            converter:
              replicas: 6
              autoscaling:
                enabled: false
              resources:
                requests:
                  cpu: "2"
                  memory: 1Gi
                limits:
                  memory: 3Gi
            notifier:
              replicas: 0
            """;

    static final String SMTP_AND_ADMIN = """
            smtp:
              host: smtp.example.org
              port: 465
              security: ssl
              from: mp3conv@example.org
              username: mailer
              password: mail-s3cret-value
            auth:
              openRegistration: true
              admin:
                email: admin@example.org
                password: admin-s3cret-value
            """;

    static final String EXISTING_SECRETS = """
            auth:
              signingKey:
                existingSecret: jwt-key
                existingSecretKey: key.pem
              admin:
                existingSecret: first-admin
            smtp:
              host: smtp.example.org
              existingSecret: smtp-creds
            notifier:
              webhookSecretKey:
                existingSecret: hook-key
                existingSecretKey: aes.key
            mongodb:
              auth:
                existingSecret: mongo-creds
            rabbitmq:
              auth:
                existingSecret: rabbit-creds
            """;

    static final String EVERYTHING_OFF = """
            ingress:
              enabled: false
            podDisruptionBudget:
              enabled: false
            serviceAccount:
              create: false
            metrics:
              podAnnotations: false
            converter:
              autoscaling:
                enabled: false
            """;

    private Scenarios() {
    }
}
