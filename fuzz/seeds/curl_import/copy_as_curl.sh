curl 'https://api.example.com/graphql' \
  -H 'accept: */*' \
  --data-raw $'{"q":"it\'s\\n"}' \
  --compressed