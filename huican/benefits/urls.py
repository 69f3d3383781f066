from huican.benefits import views_applications, views_rolls

app_name = "benefits"
urlpatterns = [*views_applications.urlpatterns, *views_rolls.urlpatterns]
