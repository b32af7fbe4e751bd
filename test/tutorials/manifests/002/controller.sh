#!/usr/bin/env bash
# The notes' NGINX operator. Its Deployment manifest is re-indented (in the notes `spec`, `ports`,
# `volumeMounts` and `volumes` sit one level too far left, which the API refuses) and the annotation
# value is quoted (an unquoted `$(date)` is not valid YAML).

kubectl get --watch --output-watch-events configmap \
-o=custom-columns=type:type,name:object.metadata.name \
--no-headers | \
while read next; do
    NAME=$(echo $next | cut -d' ' -f2) #A
    EVENT=$(echo $next | cut -d' ' -f1) #B

    case $EVENT in
        ADDED|MODIFIED)
            kubectl apply -f - << EOF
apiVersion: apps/v1
kind: Deployment
metadata: { name: $NAME }
spec:
    selector:
        matchLabels: { app: $NAME }
    template:
        metadata:
            labels: { app: $NAME }
            annotations: { kubectl.kubernetes.io/restartedAt: "$(date)" }
        spec:
            containers:
            - image: nginx:1.7.9
              name: $NAME
              ports:
              - containerPort: 80
              volumeMounts:
              - { name: data, mountPath: /usr/share/nginx/html }
            volumes:
            - name: data
              configMap:
                name: $NAME
EOF
        ;;
        DELETED)
            kubectl delete deploy $NAME
        ;;
    esac
done
